"""Sample an exported model with onnxruntime and the Heun sampler (DESIGN.md §1), save .npy + grid PNG.

    python3 models/train/sample.py --model models/mnist-unet-edm --count 500 --out models/train/out/edm
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from args import SEED_MAX, ranged  # noqa: E402
from pfgm import heun, parse_augment_dim, prior, schedule  # noqa: E402


def sample(model_dir, count, seed=0, batch=250, steps=None):
    """Returns (samples float32 [count,1,28,28], requested labels int [count] or None). A latent-class
    model's classes are drawn from its prior (not the server's streams: same law, other draws)."""
    import onnxruntime as ort
    with open(os.path.join(model_dir, "model.json")) as f:
        card = json.load(f)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), opts,
                                providers=["CPUExecutionProvider"])
    d = parse_augment_dim(card["augment_dim"])
    sigmas = schedule(steps or card["default_steps"], card["sigma_min"], card["sigma_max"], card["rho"])
    rng = np.random.default_rng(seed)
    k = len(card["class_labels"])
    labels = np.arange(count) % k if k else None  # requested: each class in turn
    latent = card.get("latent_class_prior")
    classes = labels if k else rng.choice(len(latent), size=count, p=latent) if latent else None
    out = []
    for i in range(0, count, batch):
        b = min(batch, count - i)
        feeds = {}
        if classes is not None:
            feeds["class_labels"] = np.eye(k or len(latent), dtype=np.float32)[classes[i:i + b]]

        def denoise(x, sigma, feeds=feeds):  # this batch's feeds, bound now (B023)
            return sess.run(["denoised"], {"x": x, "sigma": sigma, **feeds})[0]
        x0 = prior(rng, b, card["shape"], d, card["sigma_max"])
        out.append(heun(denoise, x0, sigmas).astype(np.float32))
    return np.concatenate(out), labels


def save_grid(samples, path, cols=20):
    from PIL import Image
    n = len(samples) - len(samples) % cols if len(samples) >= cols else len(samples)
    rows = max(1, n // cols)
    pix = np.floor(np.clip(127.5 * samples[:rows * cols, 0] + 128, 0, 255)).astype(np.uint8)
    grid = pix.reshape(rows, cols, 28, 28).transpose(0, 2, 1, 3).reshape(rows * 28, cols * 28)
    Image.fromarray(grid, "L").save(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True, help="models/<id> folder")
    ap.add_argument("--count", type=ranged(int, 1, 10 ** 7, "--count"), default=500)
    ap.add_argument("--seed", type=ranged(int, 0, SEED_MAX, "--seed"), default=0)
    ap.add_argument("--out", required=True, help="path prefix: writes <out>.npy, <out>-labels.npy, <out>.png")
    a = ap.parse_args(argv)
    samples, labels = sample(a.model, a.count, a.seed)
    np.save(a.out + ".npy", samples)
    if labels is not None:
        np.save(a.out + "-labels.npy", labels)
    save_grid(samples[:200], a.out + ".png")
    print(f"wrote {a.out}.npy {samples.shape}, range [{samples.min():.2f}, {samples.max():.2f}]")


if __name__ == "__main__":
    main()
