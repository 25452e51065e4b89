"""Quality table of samples drawn through the server (measure_quality.sh), one row per model × steps.

    python3 models/train/quality_table.py --dir models/train/out/server-samples \
        --json models/train/results/quality-server.json --md models/train/results/quality-server.md \
        --grids models/train/results

Reads <dir>/<model>-s<steps>.npy (and <model>-s<steps>-labels.npy for class-conditional runs) and
<dir>/<model>@rk45-<rtol>.npy (RK45 rows: steps 0, the NFE from the sampler's <name>.json),
scores them with evaluate.py's classifier metrics (for a latent-class model, whose card in
--models-dir has latent_class_prior, also the share classified as the class the server drew for
each sample's seed: latent.py, seeds from the sampler's <name>.json), and writes the JSON, a Markdown table and, per
model, a grid PNG of its 18-step samples (<grids>/<model>.png: 10 rows × 20; conditional: row = digit).
"""
import argparse
import glob
import json
import os
import re
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import classifier as clf  # noqa: E402
import latent  # noqa: E402
from data import load_npz  # noqa: E402
from evaluate import features_and_probs, floor_heldout_halves, floor_same_count, frechet  # noqa: E402
from sample import save_grid  # noqa: E402

# max |x| beyond which a sample is off the data: twice its scale [-1, 1] (converged samples of the
# trained models stay within 1.2; 5-step Heun overshoots)
OFF_DATA = 2.0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", default="models/train/out/server-samples")
    ap.add_argument("--data", default="models/train/out/mnist.npz")
    ap.add_argument("--classifier", default="models/train/out/classifier.pt")
    ap.add_argument("--json", default="models/train/results/quality-server.json")
    ap.add_argument("--md", default="models/train/results/quality-server.md")
    ap.add_argument("--grids", default="models/train/results")
    ap.add_argument("--models-dir", default="models", help="the served folders (cards of latent-class models)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    net, data = clf.load(a.classifier), load_npz(a.data)
    acc = clf.accuracy(net, data["test_x"], data["test_y"])
    test_f, _ = features_and_probs(net, data["test_x"])
    floor_halves = floor_heldout_halves(test_f)
    floors, rows = {}, []
    files = glob.glob(os.path.join(a.dir, "*-s*.npy")) + glob.glob(os.path.join(a.dir, "*@rk45-*.npy"))
    files = sorted(f for f in files if not f.endswith("-labels.npy") and ".tmp." not in f)
    for path in files:
        m = re.match(r"(.+)-s(\d+)\.npy$", os.path.basename(path))
        model, steps = (m.group(1), int(m.group(2))) if m else (os.path.basename(path)[:-4], 0)
        x = np.load(path)
        lab_path = path[:-4] + "-labels.npy"
        labels = np.load(lab_path) if os.path.exists(lab_path) else None
        n = len(x)
        if n not in floors:  # n training-split digits vs the held-out digits: the floor at this count
            floors[n] = floor_same_count(net, data["train_x"], test_f, n)
        f, p = features_and_probs(net, x)
        pred = p.argmax(1)
        nfe, run = 2 * steps - 1, {}
        if os.path.exists(path[:-4] + ".json"):  # the NFE the server reported (RK45: it chose it)
            with open(path[:-4] + ".json") as fh:
                run = json.load(fh)
            nfe = run["nfe"]
        drawn = drawn_classes(a.models_dir, model, run, n) if labels is None else None
        row = {"model": model, "steps": steps, "nfe": nfe, "samples": n,
               "fd": round(frechet(f, test_f), 3), "fd_floor_train_same_count": round(floors[n], 3),
               "confident_ge_0.9": round(float((p.max(1) >= 0.9).mean()), 3),
               "class_histogram": np.bincount(pred, minlength=10).tolist()}
        # A few samples far off the data (D = 1: prior draws beyond what the network was trained
        # on) make the FD meaningless; say how many, and the FD of the rest.
        in_range = np.abs(x.reshape(n, -1)).max(1) <= OFF_DATA
        row["off_data_share"] = round(float(1 - in_range.mean()), 4)
        if not in_range.all() and in_range.sum() > 1:
            row["fd_in_range"] = round(frechet(f[in_range], test_f), 3)
        if labels is not None:
            row["as_requested"] = round(float((pred == labels).mean()), 3)
            row["as_requested_per_class"] = [round(float((pred[labels == c] == c).mean()), 2) for c in range(10)]
        if drawn is not None:
            row["as_drawn"] = round(float((pred == drawn).mean()), 3)
        rows.append(row)
        if steps == 18 and a.grids:
            if labels is not None:
                grid = np.concatenate([x[labels == c][:20] for c in range(10)])
            else:
                grid = x[:200]
            save_grid(grid, os.path.join(a.grids, f"{model}.png"))
        print(json.dumps(row), flush=True)
    rows.sort(key=lambda r: (r["model"], r["steps"]))
    out = {"classifier_heldout_accuracy": round(acc, 4), "fd_floor_heldout_halves_500": round(floor_halves, 2),
           "solver": "heun" if all(r["steps"] for r in rows) else "heun; rk45 in the <model>@rk45-<rtol> rows",
           "rows": rows}
    with open(a.json, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    lines = [f"Classifier held-out accuracy {acc:.3f}; FD floor held-out halves (500 vs 500) {floor_halves:.1f}; "
             + "; ".join(f"{n} training digits vs held-out {v:.1f}" for n, v in sorted(floors.items())) + ".", "",
             "| model | steps | NFE | samples | FD ↓ | floor (same count) | conf ≥ 0.9 | class histogram 0–9 "
             "| as requested (latent: as drawn) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| `{r['model']}` | {r['steps']} | {r['nfe']} | {r['samples']} | {r['fd']:.1f} | "
                     f"{r['fd_floor_train_same_count']:.1f} | {r['confident_ge_0.9']:.2f} | "
                     f"{' '.join(map(str, r['class_histogram']))} | "
                     f"{r.get('as_requested', r.get('as_drawn', ''))} |")
    with open(a.md, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def drawn_classes(models_dir, model, run, n):
    """The classes the server drew for a latent-class model's samples (seed order), else None."""
    card_path = os.path.join(models_dir, model.split("@")[0], "model.json")
    if not os.path.exists(card_path) or "seeds" not in run:
        return None
    with open(card_path) as fh:
        prior = json.load(fh).get("latent_class_prior")
    first, last = run["seeds"]
    if not prior or last - first + 1 != n:
        return None
    return latent.latent_classes(prior, first, n)


if __name__ == "__main__":
    main()
