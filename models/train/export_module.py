"""Export any PyTorch denoiser with EDM's preconditioned interface to a served folder.

    PYTHONPATH=path/to/your/code python models/train/export_module.py \\
        --module package.module:factory [--kwargs '{"key": value}'] \\
        [--weights file.pt [--weights-key ema]] --shape 3 32 32 --augment-dim 128 \\
        --id my-model --out models/my-model --description "..." --dataset "..." --license "..."

`factory(**kwargs)` must return a torch.nn.Module whose forward(x, sigma, class_labels=None) is the
whole preconditioned denoiser Dθ(x, σ) (x [B,C,H,W], sigma [B], class_labels [B,K] one-hot) - EDM's
and PFGM++'s `EDMPrecond` have it. --weights is a state dict (or a dict holding one under
--weights-key) loaded with `torch.load(weights_only=True)` and `load_state_dict(strict=True)`.
The folder is written by served.write_folder, as every model of this repository: model.onnx (opset
17, dynamic batch), the PyTorch parity check, check.json, model.json. Worked example: models/README.md.
"""
import argparse
import hashlib
import importlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import served  # noqa: E402
from args import ranged  # noqa: E402
from model import count_parameters  # noqa: E402
from pfgm import parse_augment_dim  # noqa: E402


def load_factory(spec):
    """"package.module:attr" -> the attribute (dots after the colon walk nested attributes)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"--module must be package.module:factory, was {spec!r}")
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def load_weights(net, path, key=None):
    """Loads a state dict (optionally at `key` of the saved dict) into net, every key matching."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    if key is not None:
        if not isinstance(state, dict) or key not in state:
            found = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"--weights-key {key!r} is not in {path}: it holds {found}")
        state = state[key]
    net.load_state_dict(state, strict=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--module", required=True, help="package.module:factory returning the denoiser")
    ap.add_argument("--kwargs", default="{}", help="JSON object of keyword arguments for the factory")
    ap.add_argument("--weights", help="state dict file for the module (torch.save); none: the factory's weights")
    ap.add_argument("--weights-key", help="key of the state dict inside --weights (e.g. ema, state_dict)")
    ap.add_argument("--shape", required=True, nargs=3, metavar=("C", "H", "W"),
                    type=ranged(int, 1, served.MAX_DATA_DIM, "--shape"))
    ap.add_argument("--augment-dim", required=True, help="D the network was trained for: >= 1 (1 = PFGM), or inf (EDM)")
    ap.add_argument("--class-labels", nargs="+", default=[], metavar="NAME",
                    help="names of the K classes of a conditional network (input class_labels [B,K])")
    ap.add_argument("--id", required=True, help="model id ([A-Za-z0-9._-]{1,64}); the folder's name")
    ap.add_argument("--out", required=True, help="the model folder to write; its name must be --id")
    ap.add_argument("--description", required=True)
    ap.add_argument("--dataset", required=True, help="what the network was trained on")
    ap.add_argument("--license", required=True, help="licence(s) of the weights and of the data")
    ap.add_argument("--sigma-data", type=ranged(float, 1e-6, 1e6, "--sigma-data"), default=0.5)
    ap.add_argument("--sigma-min", type=ranged(float, 1e-6, 1e6, "--sigma-min"), default=served.SIGMA_MIN)
    ap.add_argument("--sigma-max", type=ranged(float, 1e-6, 1e6, "--sigma-max"), default=served.SIGMA_MAX)
    ap.add_argument("--rho", type=ranged(float, 1e-3, 100, "--rho"), default=7)
    ap.add_argument("--steps", type=ranged(int, 1, 1000, "--steps"), default=18, help="default_steps")
    ap.add_argument("--solver", choices=("heun", "euler"), default="heun", help="default_solver")
    ap.add_argument("--check-rows", type=ranged(int, 1, 2, "--check-rows"), default=2,
                    help="rows of check.json: 2 (σ = 0.5, 5) or 1 (σ = 0.5) for a large network")
    ap.add_argument("--parity-batches", nargs="+", type=ranged(int, 1, 64, "--parity-batches"),
                    default=[1, 3, 16], metavar="B", help="batch sizes of the PyTorch parity check")
    ap.add_argument("--threads", type=ranged(int, 1, 256, "--threads"), default=1, help="torch threads")
    return ap


def main(argv=None):
    ap = parser()
    a = ap.parse_args(argv)
    try:
        d = parse_augment_dim(a.augment_dim)
        kwargs = json.loads(a.kwargs)
        if not isinstance(kwargs, dict):
            raise ValueError(f"--kwargs must be a JSON object, was {a.kwargs}")
        served.check_shape(a.shape)
        if not served.ID_PATTERN.fullmatch(a.id):
            raise ValueError(f"--id must match {served.ID_PATTERN.pattern}, was {a.id!r}")
    except ValueError as e:
        ap.error(str(e))
    if not a.sigma_min < a.sigma_max:
        ap.error(f"need --sigma-min < --sigma-max, was {a.sigma_min} and {a.sigma_max}")
    if os.path.basename(os.path.normpath(a.out)) != a.id:
        ap.error(f"the folder's name must be the model id {a.id!r} (the server serves it under that id), "
                 f"was --out {a.out}")
    if a.weights_key and not a.weights:
        ap.error("--weights-key needs --weights")
    torch.set_num_threads(a.threads)
    net = load_factory(a.module)(**kwargs)
    if not isinstance(net, torch.nn.Module):
        ap.error(f"{a.module} returned {type(net).__name__}, not a torch.nn.Module")
    if a.weights:
        load_weights(net, a.weights, a.weights_key)
    provenance = {"kind": "exported-module", "script": "models/train/export_module.py", "module": a.module,
                  "kwargs": kwargs, "parameters": count_parameters(net)}
    if a.weights:
        provenance["weights"] = {"file": os.path.basename(a.weights), "key": a.weights_key,
                                 "sha256": sha256(a.weights)}
    c = served.card(a.id, a.description, d, a.shape, a.class_labels, a.dataset, a.license, provenance,
                    sigma_data=a.sigma_data, sigma_min=a.sigma_min, sigma_max=a.sigma_max, rho=a.rho,
                    default_steps=a.steps, default_solver=a.solver)
    worst = served.write_folder(net.eval(), a.out, c, a.parity_batches, served.CHECK_SIGMAS[:a.check_rows])
    print(f"{a.out}: {provenance['parameters']:,} parameters, "
          f"{os.path.getsize(os.path.join(a.out, 'model.onnx')):,} bytes, parity max|Δ| {worst:.2e}")


if __name__ == "__main__":
    main()
