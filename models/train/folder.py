"""The torch-free half of a served folder (models/README.md has the contract): the card, the check
vector the Java server re-runs at load, one-thread onnxruntime sessions, the pipeline's commit.
served.py (export with torch) and quantize.py (graph rewrites, no torch) both write through it.
"""
import json
import math
import os
import re
import subprocess

import numpy as np

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
         default_solver="heun", latent_class_prior=None):
    """model.json with every key of models/README.md; augment_dim is a number >= 1 or math.inf.
    latent_class_prior (with no class_labels): the network is class-conditional, requests name no
    class, and the server draws each sample's class from these probabilities."""
    if not ID_PATTERN.fullmatch(model_id):
        raise ValueError(f"id must match {ID_PATTERN.pattern}, was {model_id!r}")
    check_shape(shape)
    latent = {}
    if latent_class_prior is not None:
        p = [float(v) for v in latent_class_prior]
        if class_labels or not p or min(p) < 0 or abs(sum(p) - 1) > 1e-6:
            raise ValueError("latent_class_prior: probabilities summing to 1, on a card without class_labels")
        latent = {"latent_class_prior": p}
    return {
        "id": model_id,
        "description": description,
        "augment_dim": _augment_dim(augment_dim),
        "shape": list(shape),
        "sigma_min": sigma_min, "sigma_max": sigma_max, "rho": rho,
        "default_steps": default_steps, "default_solver": default_solver, "sigma_data": sigma_data,
        "class_labels": list(class_labels),
        **latent,
        "dataset": dataset,
        "license": license,
        "provenance": provenance,
    }


def network_classes(model_card):
    """K of the graph's class_labels input: the named classes, or the latent ones; 0 for none."""
    return len(model_card["class_labels"]) or len(model_card.get("latent_class_prior", []))


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


def git_commit():
    try:
        return subprocess.check_output(["git", "rev-parse", "HEAD"], text=True, stderr=subprocess.DEVNULL,
                                       cwd=os.path.dirname(os.path.abspath(__file__))).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"

