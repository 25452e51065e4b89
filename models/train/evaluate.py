"""Quality of samples through the digit classifier (classifier.py).

    python3 models/train/evaluate.py --samples models/train/out/edm.npy [--labels ...-labels.npy] \
        --json models/train/out/edm-quality.json

Reports: Fréchet distance of classifier penultimate features, samples vs the 1,000 held-out real
digits, beside two floors: real-vs-real (held-out halves, 500 vs 500) and training-split digits vs
held-out at the samples' count; share of samples classified with confidence ≥ 0.9; predicted class
histogram; for a conditional model the share classified as the requested digit.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import classifier as clf  # noqa: E402
from data import load_npz  # noqa: E402


def frechet(a, b):
    """‖μa−μb‖² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½, via symmetric eigendecompositions."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(cov_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    cross = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b)
                 - 2 * np.sqrt(np.clip(cross, 0, None)).sum())


# The real-data floors of FD: one computation, used by every report (this file, quality_table.py).
HALVES_SEED = 0  # the split of the held-out digits into two halves
SAME_COUNT_SEED = 1  # the draw of training-split digits matched to the samples' count


def floor_heldout_halves(test_f):
    """FD of one half of the held-out features against the other (a fixed random split)."""
    perm = np.random.default_rng(HALVES_SEED).permutation(len(test_f))
    half = len(test_f) // 2
    return frechet(test_f[perm[:half]], test_f[perm[half:]])


def floor_same_count(net, train_x, test_f, count):
    """FD of `count` training-split digits (a fixed draw) against all held-out digits: what a
    perfect generator would score with `count` samples."""
    pick = np.random.default_rng(SAME_COUNT_SEED).choice(len(train_x), size=count, replace=False)
    return frechet(features_and_probs(net, train_x[pick])[0], test_f)


def features_and_probs(net, x, batch=500):
    feats, probs = [], []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            f = net.features(torch.from_numpy(np.ascontiguousarray(x[i:i + batch], dtype=np.float32)))
            feats.append(f.numpy().astype(np.float64))
            probs.append(torch.softmax(net.head(f), 1).numpy())
    return np.concatenate(feats), np.concatenate(probs)


def evaluate(net, data, samples, labels=None):
    test_f, _ = features_and_probs(net, data["test_x"])
    f, p = features_and_probs(net, samples)
    pred = p.argmax(1)
    report = {
        "samples": int(len(samples)),
        "fd_samples_vs_heldout": round(frechet(f, test_f), 3),
        "fd_floor_heldout_halves": round(floor_heldout_halves(test_f), 3),
        "fd_train_vs_heldout_same_count": round(floor_same_count(net, data["train_x"], test_f, len(samples)), 3),
        "confident_share_ge_0.9": round(float((p.max(1) >= 0.9).mean()), 4),
        "class_histogram": np.bincount(pred, minlength=10).tolist(),
        "pixel_range": [round(float(samples.min()), 3), round(float(samples.max()), 3)],
    }
    if labels is not None:
        report["share_classified_as_requested"] = round(float((pred == labels).mean()), 4)
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--labels")
    ap.add_argument("--data", default="models/train/out/mnist.npz")
    ap.add_argument("--classifier", default="models/train/out/classifier.pt")
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(1)
    net, data = clf.load(a.classifier), load_npz(a.data)
    report = evaluate(net, data, np.load(a.samples), np.load(a.labels) if a.labels else None)
    report["classifier_heldout_accuracy"] = round(clf.accuracy(net, data["test_x"], data["test_y"]), 4)
    text = json.dumps(report)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
