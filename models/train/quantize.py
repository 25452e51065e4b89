"""Quantized variants of a served model: a new folder the server serves unchanged (float32 in/out).

    PY=.tools/venv/bin/python     # onnx + onnxruntime 1.26 (the server's); int8 also needs sympy
    $PY models/train/quantize.py --source models/mnist-unet-d128 --bits 6 --id mnist-unet-d128-w6
    $PY models/train/quantize.py --source models/mnist-unet-d128 --int8 --data models/train/out/mnist.npz \
        --id mnist-unet-d128-int8

--bits k (5..9): the PFGM++ paper's per-tensor affine weight quantization. Every weight tensor of a
Conv, Gemm or MatMul (input 1) is rounded to 2^k levels between its own min and max,
w' = min + round((w − min)/s)·s with s = (max − min)/(2^k − 1), and stored back as float32: the graph
is the source graph with coarser weights. Biases, the folded GroupNorm constants and the σ
preconditioning stay float32.

--int8: onnxruntime.quantization.quantize_static, QDQ format, int8 weights (per output channel) and
activations of the Conv/Gemm/MatMul ops, scales calibrated (MinMax) on training digits noised with
the model's own PFGM++ kernel at the 18 σ of its default schedule. Static, not dynamic: dynamic
quantization computes an activation's scale over the whole batch, so a row's output would depend on
the rows that share its network call, which the server promises it does not.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import folder  # noqa: E402
from data import load_npz  # noqa: E402
from pfgm import parse_augment_dim, prior, schedule  # noqa: E402

WEIGHT_OPS = ("Conv", "Gemm", "MatMul")


def affine(w, bits):
    """Per-tensor affine quantize-dequantize to 2**bits levels, float32."""
    lo, hi = float(w.min()), float(w.max())
    if hi == lo:
        return w.astype(np.float32)
    s = (hi - lo) / (2 ** bits - 1)
    return (lo + np.round((w.astype(np.float64) - lo) / s) * s).astype(np.float32)


def quantize_weights(src, dst, bits):
    """Rewrites the weight initializers of src into dst; returns (tensors, max |w' − w|)."""
    import onnx
    from onnx import numpy_helper
    model = onnx.load(src)
    weights = {n.input[1] for n in model.graph.node if n.op_type in WEIGHT_OPS and len(n.input) > 1}
    count, worst = 0, 0.0
    for init in model.graph.initializer:
        if init.name in weights:
            w = numpy_helper.to_array(init)
            q = affine(w, bits)
            worst = max(worst, float(np.abs(q - w).max()))
            init.CopyFrom(numpy_helper.from_array(q, init.name))
            count += 1
    onnx.save(model, dst)
    return count, worst


class _Calibration:
    """Rows y + n(σ) for σ on the card's default schedule; n drawn from the card's prior at scale σ
    (the PFGM++ perturbation kernel is the prior with σ_max = σ)."""

    def __init__(self, card, data_path, digits=64, seed=0):
        rng = np.random.default_rng(seed)
        data = load_npz(data_path)
        d = parse_augment_dim(card["augment_dim"])
        sigmas = schedule(card["default_steps"], card["sigma_min"], card["sigma_max"], card["rho"])[:-1]
        pick = rng.choice(len(data["train_x"]), digits, replace=False)
        y = data["train_x"][pick].astype(np.float64)
        k = folder.network_classes(card)  # a network with classes sees each digit's own class
        labels = {"class_labels": np.eye(k, dtype=np.float32)[data["train_y"][pick]]} if k else {}
        self.batches = []
        for s in sigmas:
            x = y + prior(rng, digits, card["shape"], d, s)
            self.batches.append({"x": x.astype(np.float32), "sigma": np.full(digits, s, np.float32), **labels})
        self.it = iter(self.batches)

    def get_next(self):
        return next(self.it, None)


def quantize_int8(src, dst, card, data_path):
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    quantize_static(src, dst, _Calibration(card, data_path), quant_format=QuantFormat.QDQ,
                    op_types_to_quantize=list(WEIGHT_OPS), per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", required=True, help="models/<id> folder of the float32 model")
    ap.add_argument("--id", required=True)
    how = ap.add_mutually_exclusive_group(required=True)
    how.add_argument("--bits", type=int, choices=range(2, 17), metavar="K", help="per-tensor affine, K bits")
    how.add_argument("--int8", action="store_true", help="onnxruntime static int8 (QDQ)")
    ap.add_argument("--data", default="models/train/out/mnist.npz", help="calibration digits (--int8)")
    ap.add_argument("--out-dir", help="parent folder of the new model (default: the source's parent)")
    ap.add_argument("--description", help="card description (default: the source's, with the method)")
    ap.add_argument("--quality", help="a JSON file from evaluate.py (samples of this variant) for provenance.quality")
    a = ap.parse_args(argv)
    with open(os.path.join(a.source, "model.json")) as f:
        card = json.load(f)
    src_onnx = os.path.join(a.source, "model.onnx")
    out = os.path.join(a.out_dir or os.path.dirname(os.path.abspath(a.source)), a.id)
    os.makedirs(out, exist_ok=True)
    dst_onnx = os.path.join(out, "model.onnx")
    source = {"id": card["id"], "model_onnx_sha256": sha256(src_onnx), "provenance": card["provenance"]}
    if a.int8:
        quantize_int8(src_onnx, dst_onnx, card, a.data)
        method = {"method": "onnxruntime static int8 (quantize_static, QDQ, per-channel int8 weights, "
                            "int8 activations, MinMax calibration)", "bits": 8,
                  "ops": list(WEIGHT_OPS), "calibration": "64 training digits x the 18 sigmas of the "
                  "default schedule, noised with the model's PFGM++ kernel"}
        what = "int8 (onnxruntime static QDQ)"
    else:
        tensors, worst = quantize_weights(src_onnx, dst_onnx, a.bits)
        method = {"method": "per-tensor affine weight quantization, dequantized to float32 initializers",
                  "bits": a.bits, "ops": list(WEIGHT_OPS), "tensors": tensors,
                  "max_abs_weight_change": float(f"{worst:.3g}")}
        what = f"{a.bits}-bit per-tensor affine weights"
    folder.write_check(dst_onnx, os.path.join(out, "check.json"))
    import onnxruntime
    card["id"] = a.id
    card["description"] = a.description or f"{card['description']}; weights quantized: {what}"
    card["provenance"] = {"kind": "quantized", "script": "models/train/quantize.py", "source": source,
                          **method, "onnxruntime": onnxruntime.__version__,
                          "pipeline_commit": folder.git_commit()}
    if a.quality:
        with open(a.quality) as f:
            card["provenance"]["quality"] = json.load(f)
    with open(os.path.join(out, "model.json"), "w") as fh:
        json.dump(card, fh, indent=2)
        fh.write("\n")
    print(f"{out}: {os.path.getsize(dst_onnx)} bytes ({what})")


if __name__ == "__main__":
    main()
