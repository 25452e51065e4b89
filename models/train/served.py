"""Write one served folder, models/<id>/{model.onnx, model.json, check.json}, from any PyTorch
denoiser with EDM's preconditioned interface `forward(x, sigma, class_labels=None)` -> denoised.

The one export path of this pipeline (export.py, export_module.py and make_bench_model.py use it):
the ONNX graph (opset 17, dynamic `batch`, C·H·W stated on the output), parity with PyTorch checked
by onnxruntime over the card's σ range, the check vector the Java server re-runs at load, the card.
The contract is in models/README.md.
"""
import json
import math
import os
import re
import subprocess

import numpy as np
import torch

OPSET = 17
PARITY_TOL = 1e-4
# What the Java server's ReferenceCheck allows between check.json and its own run (max |Δ|).
CHECK_ATOL = 1e-5
CHECK_SIGMAS = (0.5, 5.0)
SIGMA_MIN, SIGMA_MAX = 0.002, 80
# The Java server's card rules (ModelCard): channels for PNG previews, values per sample, id.
CHANNELS = (1, 3)
MAX_DATA_DIM = 1 << 18
ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def card(model_id, description, augment_dim, shape, class_labels, dataset, license, provenance,
         sigma_data=0.5, sigma_min=SIGMA_MIN, sigma_max=SIGMA_MAX, rho=7, default_steps=18,
         default_solver="heun"):
    """model.json with every key of models/README.md; augment_dim is a number > 2 or math.inf."""
    if not ID_PATTERN.fullmatch(model_id):
        raise ValueError(f"id must match {ID_PATTERN.pattern}, was {model_id!r}")
    check_shape(shape)
    return {
        "id": model_id,
        "description": description,
        "augment_dim": _augment_dim(augment_dim),
        "shape": list(shape),
        "sigma_min": sigma_min, "sigma_max": sigma_max, "rho": rho,
        "default_steps": default_steps, "default_solver": default_solver, "sigma_data": sigma_data,
        "class_labels": list(class_labels),
        "dataset": dataset,
        "license": license,
        "provenance": provenance,
    }


def _augment_dim(d):
    """The card's spelling of D: "inf", an integer where D is one, else the number."""
    if math.isinf(d):
        return "inf"
    return int(d) if float(d).is_integer() else float(d)


def check_shape(shape):
    c, h, w = shape
    if c not in CHANNELS or h < 1 or w < 1 or c * h * w > MAX_DATA_DIM:
        raise ValueError(f"shape must be [C, H, W] with C in {CHANNELS} and C*H*W <= {MAX_DATA_DIM} "
                         f"(the server's card rules), was {list(shape)}")


class _Unconditional(torch.nn.Module):
    """Drops class_labels from the traced signature (so the graph has only x and sigma). Its
    attribute stays `net`: warmstart.py finds the exported weights under that prefix."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x, sigma):
        return self.net(x, sigma)


def export_onnx(net, path, shape, num_classes):
    """Trace net at batch 2 into path: inputs x, sigma (, class_labels), output denoised, batch dynamic."""
    module = net if num_classes else _Unconditional(net)
    b = 2
    gen = torch.Generator().manual_seed(0)
    args = (torch.randn((b,) + tuple(shape), generator=gen), torch.ones(b))
    names = ["x", "sigma"]
    axes = {"x": {0: "batch"}, "sigma": {0: "batch"}, "denoised": {0: "batch"}}
    if num_classes:
        args += (torch.eye(num_classes)[torch.arange(b) % num_classes],)
        names.append("class_labels")
        axes["class_labels"] = {0: "batch"}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=names, output_names=["denoised"],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    _declare_output_shape(path, shape)


def _declare_output_shape(path, shape):
    """torch names the output's C,H,W symbolically; state them, as the card/graph check reads them."""
    import onnx
    model = onnx.load(path)
    dims = model.graph.output[0].type.tensor_type.shape.dim
    for d, v in zip(dims[1:], shape, strict=True):
        d.Clear()
        d.dim_value = v
    onnx.checker.check_model(model)
    onnx.save(model, path)


def session(path):
    """A one-thread CPU session: checks, not speed (and no spinning threads on a shared machine)."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def signature(sess):
    """(shape [C,H,W], number of classes K, 0 if unconditional) read from the graph's inputs."""
    inputs = {i.name: i.shape for i in sess.get_inputs()}
    labels = inputs.get("class_labels")
    return tuple(inputs["x"][1:]), (labels[1] if labels else 0)


def feeds(rng, sigmas, shape, num_classes):
    """Rows at the given σ: x = data-scale noise (σ_data = 0.5) plus σ-noise; random one-hot labels."""
    b = len(sigmas)
    x = rng.standard_normal((b,) + tuple(shape)) * np.sqrt(sigmas ** 2 + 0.25).reshape(-1, 1, 1, 1)
    out = {"x": x.astype(np.float32), "sigma": np.asarray(sigmas, np.float32)}
    if num_classes:
        out["class_labels"] = np.eye(num_classes, dtype=np.float32)[rng.integers(0, num_classes, b)]
    return out


def verify(net, path, batches=(1, 3, 16), seed=0, tol=PARITY_TOL, sigma_range=(SIGMA_MIN, SIGMA_MAX)):
    """Max |ORT − PyTorch| over random rows at σ log-uniform in sigma_range (the largest batch also
    holds both ends), one ORT call per batch size; refuses non-finite outputs."""
    sess = session(path)
    shape, num_classes = signature(sess)
    rng = np.random.default_rng(seed)
    worst = 0.0
    for b in batches:
        sigmas = np.exp(rng.uniform(math.log(sigma_range[0]), math.log(sigma_range[1]), b))
        if b == max(batches) and b >= 2:
            sigmas[:2] = sigma_range
        f = feeds(rng, sigmas, shape, num_classes)
        (got,) = sess.run(["denoised"], f)
        with torch.no_grad():
            want = net(*[torch.from_numpy(v) for v in f.values()]).numpy()
        if not (np.isfinite(got).all() and np.isfinite(want).all()):
            raise AssertionError(f"{path}: non-finite output at batch {b}, sigma {sigmas.tolist()}")
        worst = max(worst, float(np.abs(got - want).max()))
    if not worst <= tol:
        raise AssertionError(f"ONNX/PyTorch parity must be <= {tol}, was {worst}")
    return worst


def write_check(path, out_path, sigmas=CHECK_SIGMAS, seed=1):
    """check.json: one row per σ and onnxruntime's output, flat row-major NCHW float32 values."""
    sess = session(path)
    shape, num_classes = signature(sess)
    f = feeds(np.random.default_rng(seed), np.array(sigmas, np.float64), shape, num_classes)
    (den,) = sess.run(["denoised"], f)
    check = {"shape": [len(sigmas), *shape], "atol": CHECK_ATOL,
             "note": "x and denoised are flat NCHW float32 computed by onnxruntime (Python, CPU); "
                     "compare max|denoised - run(x, sigma)| <= atol"}
    check.update({k: [float(v) for v in a.ravel()] for k, a in f.items()})
    check["denoised"] = [float(v) for v in den.ravel()]
    with open(out_path, "w") as fh:
        json.dump(check, fh)


def write_folder(net, out_dir, model_card, parity_batches=(1, 3, 16), check_sigmas=CHECK_SIGMAS):
    """model.onnx, parity check, check.json, then model.json (with provenance.export facts added).
    Returns the ONNX/PyTorch parity max |Δ|."""
    num_classes = len(model_card["class_labels"])
    if num_classes != getattr(net, "num_classes", num_classes):
        raise ValueError(f"the card lists {num_classes} class labels, the network has {net.num_classes}")
    if os.path.basename(os.path.normpath(out_dir)) != model_card["id"]:
        raise ValueError(f"the folder name must equal the card's id {model_card['id']!r}, was {out_dir}")
    net = net.eval()
    onnx_path = os.path.join(out_dir, "model.onnx")
    export_onnx(net, onnx_path, model_card["shape"], num_classes)
    sigma_range = (model_card["sigma_min"], model_card["sigma_max"])
    worst = verify(net, onnx_path, parity_batches, sigma_range=sigma_range)
    write_check(onnx_path, os.path.join(out_dir, "check.json"), check_sigmas)
    model_card["provenance"]["export"] = {
        "opset": OPSET, "torch": torch.__version__, "parity_max_abs": float(f"{worst:.3g}"),
        "parity_batches": list(parity_batches), "parity_sigma_range": list(sigma_range)}
    with open(os.path.join(out_dir, "model.json"), "w") as fh:
        json.dump(model_card, fh, indent=2)
        fh.write("\n")
    return worst


def git_commit():
    try:
        return subprocess.check_output(["git", "rev-parse", "HEAD"], text=True, stderr=subprocess.DEVNULL,
                                       cwd=os.path.dirname(os.path.abspath(__file__))).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"

