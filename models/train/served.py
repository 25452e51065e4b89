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
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The torch-free half, re-exported: callers use served.card, served.git_commit, ...
from folder import (  # noqa: E402, F401
    CHANNELS,
    CHECK_ATOL,
    CHECK_SIGMAS,
    ID_PATTERN,
    MAX_DATA_DIM,
    SIGMA_MAX,
    SIGMA_MIN,
    card,
    check_shape,
    feeds,
    git_commit,
    network_classes,
    session,
    signature,
    write_check,
)

OPSET = 17
PARITY_TOL = 1e-4


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


def write_folder(net, out_dir, model_card, parity_batches=(1, 3, 16), check_sigmas=CHECK_SIGMAS):
    """model.onnx, parity check, check.json, then model.json (with provenance.export facts added).
    Returns the ONNX/PyTorch parity max |Δ|."""
    num_classes = network_classes(model_card)
    if num_classes != getattr(net, "num_classes", num_classes):
        raise ValueError(f"the card has {num_classes} classes, the network has {net.num_classes}")
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


