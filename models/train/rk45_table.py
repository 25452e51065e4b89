"""Heun vs RK45 per D: a Markdown table from a quality_table.py JSON (measure_quality.sh with RTOLS).

    python3 models/train/rk45_table.py --quality models/train/out/rk45-samples/quality.json \
        --models mnist-unet-d1 mnist-unet-d16 mnist-unet-d128 mnist-unet-d2048 mnist-unet-edm \
        --md models/train/results/rk45-vs-heun.md

One row per model: Heun at --heun-steps (FD ↓ / share with confidence ≥ 0.9) and, per RK45 rtol,
the mean NFE the server reported / FD / confident share; then the NFE of the cheapest RK45 cell
whose FD is within --fd-slack (relative) of Heun's, i.e. the NFE RK45 needs to match Heun, or
"not reached" within the tolerances measured. The FD is over the samples within the data's range
where some are far off (quality_table.py's fd_in_range; the share off is shown).
"""
import argparse
import json
import sys

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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quality", required=True, help="quality_table.py JSON")
    ap.add_argument("--models", nargs="+", default=list(D_OF))
    ap.add_argument("--heun-steps", type=int, default=18, help="the Heun row to compare with (18 = 35 NFE)")
    ap.add_argument("--fd-slack", type=float, default=0.05, help="RK45 matches Heun when FD ≤ Heun's × (1 + this)")
    ap.add_argument("--md", default=None, help="write the table here too")
    a = ap.parse_args()
    with open(a.quality) as fh:
        md = table(json.load(fh), a.models, a.heun_steps, a.fd_slack)
    if a.md:
        with open(a.md, "w") as fh:
            fh.write(md)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
