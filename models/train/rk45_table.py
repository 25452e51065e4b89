"""Heun vs RK45 per D: a Markdown table from a quality_table.py JSON (measure_quality.sh with RTOLS).

    python3 models/train/rk45_table.py --quality models/train/out/rk45-samples/quality.json \
        --models mnist-unet-d1 mnist-unet-d16 mnist-unet-d128 mnist-unet-d2048 mnist-unet-edm \
        --md models/train/results/rk45-vs-heun.md

One row per model: Heun at --heun-steps (FD ↓ / share with confidence ≥ 0.9) and, per RK45 rtol,
the mean NFE the server reported / FD / confident share; then the NFE of the cheapest RK45 cell
whose FD is within --fd-slack (relative) of Heun's, i.e. the NFE RK45 needs to match Heun, or
"not reached" within the tolerances measured. The FD is over the samples within the data's range
where some are far off (quality_table.py's fd_in_range; the share off is shown).

With --samples DIR and --reference-rtol T it adds a second table: how far each cell's samples lie
from the same seeds' samples at rtol T (the tightest solve, standing in for the exact ODE
solution): RMS over every pixel, and the share of samples with a pixel more than 0.5 off (in the
data scale [-1, 1], a visibly different digit), over the samples within the data's range in both.

With --paired A B (two sample files' names in --samples, without .npy) it prints instead the FD of
each over only the seeds whose samples lie within the data's range in both (max |x| ≤ 2), so that
a few samples crossing that threshold (D = 1) do not decide the comparison.
"""
import argparse
import json
import os
import sys

import numpy as np

OFF_DATA = 2.0  # quality_table.py's OFF_DATA (not imported: that module needs torch)
D_OF = {"mnist-unet-d1": "1", "mnist-unet-d16": "16", "mnist-unet-d128": "128", "mnist-unet-d2048": "2048",
        "mnist-unet-edm": "∞"}


def fd(r):
    return r.get("fd_in_range", r["fd"])


def cell(r, nfe=True):
    off = f" ({100 * r['off_data_share']:.1f} % off)" if r.get("off_data_share") else ""
    head = f"{r['nfe']:.1f} / " if nfe else ""
    return f"{head}{fd(r):.1f} / {r['confident_ge_0.9']:.2f}{off}"


def table(q, models, heun_steps, slack):
    by = {r["model"]: r for r in q["rows"] if r["steps"] == 0}  # RK45 rows: <model>@rk45-<rtol>
    rtols = sorted({name.split("@rk45-")[1] for name in by if "@rk45-" in name}, key=float, reverse=True)
    lines = ["| D | model | Heun NFE %d: FD / conf | " % (2 * heun_steps - 1)
             + " | ".join(f"RK45 rtol {t}: NFE / FD / conf" for t in rtols) + " | RK45 NFE to match Heun |",
             "| --- | --- | --- | " + " | ".join("---" for _ in rtols) + " | --- |"]
    for m in models:
        heun = next((r for r in q["rows"] if r["model"] == m and r["steps"] == heun_steps), None)
        rk = [by.get(f"{m}@rk45-{t}") for t in rtols]
        match = "not measured"
        if heun is not None:
            ok = [r for r in rk if r is not None and fd(r) <= fd(heun) * (1 + slack)]
            match = f"**{min(r['nfe'] for r in ok):.0f}**" if ok else "not reached"
        lines.append(f"| {D_OF.get(m, '?')} | `{m}` | {cell(heun, nfe=False) if heun else '—'} | "
                     + " | ".join(cell(r) if r else "—" for r in rk) + f" | {match} |")
    return "\n".join(lines) + "\n"


def distance_table(samples_dir, models, heun_steps, rtols, ref):
    lines = ["| D | Heun NFE %d: RMS / changed | " % (2 * heun_steps - 1)
             + " | ".join(f"RK45 rtol {t}: RMS / changed" for t in rtols) + " |",
             "| --- | --- | " + " | ".join("---" for _ in rtols) + " |"]
    for m in models:
        x_ref = np.load(os.path.join(samples_dir, f"{m}@rk45-{ref}.npy")).reshape(-1, 784)
        cells = []
        for name in [f"{m}-s{heun_steps}"] + [f"{m}@rk45-{t}" for t in rtols]:
            x = np.load(os.path.join(samples_dir, name + ".npy")).reshape(-1, 784)
            keep = (np.abs(x).max(1) <= OFF_DATA) & (np.abs(x_ref).max(1) <= OFF_DATA)
            d = x[keep] - x_ref[keep]
            cells.append(f"{np.sqrt((d ** 2).mean()):.3f} / {(np.abs(d).max(1) > 0.5).mean():.2f}")
        lines.append(f"| {D_OF.get(m, '?')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def paired_fd(samples_dir, names, classifier_path, data_path):
    import torch

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import classifier as clf
    from data import load_npz
    from evaluate import features_and_probs, frechet
    torch.set_num_threads(1)
    net = clf.load(classifier_path)
    test_f, _ = features_and_probs(net, load_npz(data_path)["test_x"])
    xs = [np.load(os.path.join(samples_dir, n + ".npy")) for n in names]
    keep = np.logical_and.reduce([np.abs(x.reshape(len(x), -1)).max(1) <= OFF_DATA for x in xs])
    fds = [round(frechet(features_and_probs(net, x[keep])[0], test_f), 1) for x in xs]
    return {"samples_in_range_in_both": int(keep.sum()), "fd": dict(zip(names, fds, strict=True))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quality", help="quality_table.py JSON (all but --paired)")
    ap.add_argument("--models", nargs="+", default=list(D_OF))
    ap.add_argument("--heun-steps", type=int, default=18, help="the Heun row to compare with (18 = 35 NFE)")
    ap.add_argument("--fd-slack", type=float, default=0.05, help="RK45 matches Heun when FD ≤ Heun's × (1 + this)")
    ap.add_argument("--samples", default=None, help="the samples' folder, for the distance table")
    ap.add_argument("--reference-rtol", default=None, help="the rtol whose samples are the reference")
    ap.add_argument("--paired", nargs=2, default=None, metavar=("A", "B"), help="FD of A and B over common seeds")
    ap.add_argument("--data", default="models/train/out/mnist.npz")
    ap.add_argument("--classifier", default="models/train/out/classifier.pt")
    ap.add_argument("--md", default=None, help="write the table(s) here too")
    a = ap.parse_args()
    if a.paired:
        print(json.dumps(paired_fd(a.samples, a.paired, a.classifier, a.data)))
        return
    with open(a.quality) as fh:
        q = json.load(fh)
    md = table(q, a.models, a.heun_steps, a.fd_slack)
    if a.samples and a.reference_rtol:
        rtols = sorted({r["model"].split("@rk45-")[1] for r in q["rows"] if "@rk45-" in r["model"]}, key=float,
                       reverse=True)
        rtols = [t for t in rtols if t != a.reference_rtol]
        md += "\n" + distance_table(a.samples, a.models, a.heun_steps, rtols, a.reference_rtol)
    if a.md:
        with open(a.md, "w") as fh:
            fh.write(md)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
