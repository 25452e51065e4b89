"""Robustness table and plot from quality_table.py's JSON (robustness.sh): per D, FD and the
classifier-confident share vs NFE (float weights), vs the noise-injection α and vs weight bits
(both at 18 steps = 35 NFE).

    python3 models/train/robustness_table.py --quality models/train/out/robustness-samples/quality.json \
        --models mnist-unet-d1 mnist-unet-d16 ... --out models/train/results/robustness

Writes <out>.json (the rows used), <out>.md (three tables) and <out>.png (FD vs NFE | vs α | vs
bits, one line per D; drawn with Pillow: no plotting library in this pipeline).
"""
import argparse
import json
import math

from PIL import Image, ImageDraw

COLORS = [(214, 39, 40), (255, 127, 14), (44, 160, 44), (31, 119, 180), (148, 103, 189), (90, 90, 90)]
# Weight precision columns, most precise first: float32, then affine k bits and int8 (8 bits, but
# per-channel weights and int8 activations: its own column).
PRECISIONS = [("", "float32"), ("-w8", "w8"), ("-int8", "int8"), ("-w6", "w6"), ("-w5", "w5")]


def d_of(card_id):
    name = card_id.rsplit("-", 1)[-1]
    return "∞" if name == "edm" else name.lstrip("d")


def collect(q, models):
    rows = {(r["model"], r["steps"]): r for r in q["rows"]}
    nfe = sorted({r["nfe"] for r in q["rows"] if r["model"] in models})
    by_nfe = {m: {r["nfe"]: r for (mm, _), r in rows.items() if mm == m} for m in models}
    by_bits = {m: {label: rows.get((m + suffix, 18)) for suffix, label in PRECISIONS} for m in models}
    alphas = [0.0] + sorted({float(r["model"].split("@a")[1]) for r in q["rows"] if "@a" in r["model"]})
    by_alpha = {m: {a: rows.get((m if a == 0 else f"{m}@a{a:g}", 18)) for a in alphas} for m in models}
    return nfe, by_nfe, by_bits, alphas, by_alpha


def fd(r):
    """The FD of the samples near the data scale: all of them, unless a few (< half) are far off."""
    return r["fd_in_range"] if "fd_in_range" in r and r.get("off_data_share", 0) < 0.5 else r["fd"]


def cell(r):
    if r is None:
        return ""
    off = r.get("off_data_share", 0)
    return f"{fd(r):.1f} / {r['confident_ge_0.9']:.2f}" + (f" ({100 * off:.1f} % off)" if off >= 0.005 else "")


def markdown(q, models, nfe, by_nfe, by_bits, alphas, by_alpha):
    floors = sorted({r["fd_floor_train_same_count"] for r in q["rows"]})
    out = [f"FD ↓ / share of samples the classifier calls a digit with p ≥ 0.9 (and, where ≥ 0.5 %, the share "
           f"of samples off the data, max |x| > 2: the FD is then over the others); "
           f"{q['rows'][0]['samples']} samples per cell through the server, Heun; FD floor at this count "
           f"(training digits vs held-out): {', '.join(f'{f:.1f}' for f in floors)}.", "",
           "| D | model | " + " | ".join(f"NFE {n}" for n in nfe) + " |",
           "| --- | --- |" + " --- |" * len(nfe)]
    for m in models:
        out.append(f"| {d_of(m)} | `{m}` | " + " | ".join(cell(by_nfe[m].get(n)) for n in nfe) + " |")
    out += ["", "| D | model | " + " | ".join(f"α = {a:g}" for a in alphas) + " |",
            "| --- | --- |" + " --- |" * len(alphas)]
    for m in models:
        out.append(f"| {d_of(m)} | `{m}` | " + " | ".join(cell(by_alpha[m][a]) for a in alphas) + " |")
    out += ["", "| D | model | " + " | ".join(label for _, label in PRECISIONS) + " |",
            "| --- | --- |" + " --- |" * len(PRECISIONS)]
    for m in models:
        out.append(f"| {d_of(m)} | `{m}` | " + " | ".join(cell(by_bits[m][lab]) for _, lab in PRECISIONS) + " |")
    return "\n".join(out) + "\n"


CAP = 1000.0  # FD above this is drawn on the top edge as a triangle: a broken cell would flatten the rest


def ticks(lo, hi):
    """Tick values between 10^lo and 10^hi: 1-2-5 per decade, or evenly spaced where that gives < 3."""
    vals = [m * 10 ** e for e in range(int(math.floor(lo)), int(math.ceil(hi)) + 1) for m in (1, 2, 5)]
    vals = [v for v in vals if lo <= math.log10(v) <= hi]
    if len(vals) >= 3:
        return vals
    a, b = 10 ** lo, 10 ** hi
    step = next(t * 10 ** e for e in range(-2, 6) for t in (1, 2, 5) if (b - a) / (t * 10 ** e) <= 6)
    return [k * step for k in range(math.ceil(a / step), math.floor(b / step) + 1)]


def panel(draw, box, title, xs, series, xlabels):
    """One line chart in box (x0, y0, x1, y1): series = [(name, color, [y or None per x])], log-scale y,
    capped at CAP."""
    x0, y0, x1, y1 = box
    series = [(n, c, [None if v is None else min(v, CAP) for v in vals]) for n, c, vals in series]
    ys = [y for _, _, vals in series for y in vals if y is not None]
    lo, hi = math.log10(min(ys)) - 0.05, math.log10(max(ys)) + 0.05
    draw.rectangle(box, outline=(0, 0, 0))
    draw.text((x0, y0 - 16), title, fill=(0, 0, 0))

    def px(i):
        return x0 + 30 + i * (x1 - x0 - 60) / max(1, len(xs) - 1)

    def py(y):
        return y1 - (math.log10(y) - lo) / (hi - lo) * (y1 - y0)
    for v in ticks(lo, hi):
        draw.line((x0, py(v), x0 + 5, py(v)), fill=(0, 0, 0))
        draw.text((x0 - 38, py(v) - 6), f"{v:g}" if v < CAP else f">={v:g}", fill=(0, 0, 0))
    for i, lab in enumerate(xlabels):
        draw.text((px(i) - 12, y1 + 4), str(lab), fill=(0, 0, 0))
    for _, color, vals in series:
        pts = [(px(i), py(v)) for i, v in enumerate(vals) if v is not None]
        if len(pts) > 1:
            draw.line(pts, fill=color, width=2)
        for (x, y), v in zip(pts, [v for v in vals if v is not None], strict=True):
            if v >= CAP:
                draw.polygon(((x - 5, y + 4), (x + 5, y + 4), (x, y - 5)), fill=color)
            else:
                draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=color)


def plot(path, q, models, nfe, by_nfe, by_bits, alphas, by_alpha):
    img = Image.new("RGB", (1420, 420), "white")
    draw = ImageDraw.Draw(img)
    names = [(f"D = {d_of(m)}".replace("∞", "inf"), COLORS[i % len(COLORS)]) for i, m in enumerate(models)]
    s1 = [(n, c, [fd(by_nfe[m][x]) if x in by_nfe[m] else None for x in nfe])
          for (n, c), m in zip(names, models, strict=True)]
    s2 = [(n, c, [fd(by_bits[m][lab]) if by_bits[m][lab] else None for _, lab in PRECISIONS])
          for (n, c), m in zip(names, models, strict=True)]
    panel(draw, (60, 40, 460, 360), "FD vs NFE (float32 weights; log scale, capped at 1000)", nfe, s1, nfe)
    s3 = [(n, c, [fd(by_alpha[m][a]) if by_alpha[m][a] else None for a in alphas])
          for (n, c), m in zip(names, models, strict=True)]
    panel(draw, (540, 40, 940, 360), "FD vs noise injection alpha (35 NFE; log scale)", alphas, s3,
          [f"{a:g}" for a in alphas])
    panel(draw, (1000, 40, 1400, 360), "FD vs weight precision (35 NFE; log scale, capped at 1000)", PRECISIONS, s2,
          [lab for _, lab in PRECISIONS])
    for i, (n, c) in enumerate(names):
        draw.rectangle((60 + i * 150, 392, 72 + i * 150, 404), fill=c)
        draw.text((78 + i * 150, 392), n, fill=(0, 0, 0))
    img.save(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quality", required=True, help="quality_table.py JSON")
    ap.add_argument("--models", nargs="+", required=True, help="float models, one per D, in plot order")
    ap.add_argument("--out", required=True, help="path prefix: <out>.json, <out>.md, <out>.png")
    a = ap.parse_args(argv)
    with open(a.quality) as f:
        q = json.load(f)
    nfe, by_nfe, by_bits, alphas, by_alpha = collect(q, a.models)
    md = markdown(q, a.models, nfe, by_nfe, by_bits, alphas, by_alpha)
    with open(a.out + ".md", "w") as fh:
        fh.write(md)
    with open(a.out + ".json", "w") as fh:
        json.dump({"by_nfe": by_nfe, "by_bits": by_bits, "by_alpha": {m: {f"{k:g}": v for k, v in r.items()}
                                                                      for m, r in by_alpha.items()},
                   "classifier_heldout_accuracy":
                   q["classifier_heldout_accuracy"]}, fh, indent=1)
        fh.write("\n")
    plot(a.out + ".png", q, a.models, nfe, by_nfe, by_bits, alphas, by_alpha)
    print(md)


if __name__ == "__main__":
    main()
