"""Train the U-Net denoiser for one PFGM++ augment_dim D (math.inf = EDM). One code path.

    nice -n 15 python3 models/train/train.py --augment-dim inf --out models/train/out/edm.pt
"""
import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from args import SEED_MAX, ranged  # noqa: E402
from data import load_npz  # noqa: E402
from model import SIGMA_DATA, EDMDenoiser, count_parameters  # noqa: E402
from pfgm import parse_augment_dim, perturbation  # noqa: E402

P_MEAN, P_STD = -1.2, 1.2


def loss_fn(net, y, labels, augment_dim, gen, max_radius_factor=None):
    """EDM loss with PFGM++ noise: λ(σ)·‖Dθ(y+n, σ) − y‖², λ = (σ²+σd²)/(σ·σd)², ln σ ~ N(P_mean, P_std²)."""
    sigma = torch.exp(P_MEAN + P_STD * torch.randn(y.shape[0], generator=gen))
    noise = perturbation(sigma, augment_dim, y.shape[1:], gen, max_radius_factor)
    weight = (sigma ** 2 + SIGMA_DATA ** 2) / (sigma * SIGMA_DATA) ** 2
    denoised = net(y + noise, sigma, labels)
    return (weight.reshape(-1, 1, 1, 1) * (denoised - y) ** 2).mean()


def train(cfg, log=print, checkpoint=None):
    """Adam on loss_fn; returns (EMA net, stats). checkpoint(ema, stats), when given, is called every
    cfg["save_every_s"] seconds of training (so a long run can be sampled while it goes on)."""
    torch.manual_seed(cfg["seed"])
    torch.set_num_threads(cfg["threads"])
    gen = torch.Generator().manual_seed(cfg["seed"])
    augment_dim = parse_augment_dim(cfg["augment_dim"])
    data = load_npz(cfg["data"])
    x_all = torch.from_numpy(data["train_x"][: cfg["subset"] or None])
    y_all = torch.from_numpy(data["train_y"][: cfg["subset"] or None])
    num_classes = 10 if cfg["conditional"] else 0
    net = EDMDenoiser(tuple(cfg["channels"]), cfg["emb_dim"], num_classes)
    if cfg.get("init"):  # continue from an exported model's (EMA) weights; fresh Adam and warm-up
        net = initial_weights(net, cfg, log)
    ema = copy.deepcopy(net).eval().requires_grad_(False)
    opt = torch.optim.Adam(net.parameters(), lr=cfg["lr"])
    start, step, losses = time.time(), 0, []
    last_save = start
    while step < cfg["steps"] and time.time() - start < cfg["time_limit_s"]:
        idx = torch.randint(len(x_all), (cfg["batch"],), generator=gen)
        labels = None
        if num_classes:
            labels = torch.nn.functional.one_hot(y_all[idx], 10).float()
            drop = torch.rand(cfg["batch"], generator=gen) < cfg["label_dropout"]
            labels[drop] = 0.0
        for g in opt.param_groups:
            g["lr"] = learning_rate(cfg, step, time.time() - start)
        loss = loss_fn(net, x_all[idx], labels, augment_dim, gen, cfg.get("max_radius_factor"))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        decay = min(cfg["ema"], (1 + step) / (10 + step))
        with torch.no_grad():
            for pe, p in zip(ema.parameters(), net.parameters(), strict=True):
                pe.lerp_(p, 1 - decay)
        losses.append(loss.item())
        step += 1
        if step % 100 == 0:
            log(f"step {step} loss {np.mean(losses[-100:]):.4f} t {time.time() - start:.0f}s")
        if checkpoint and cfg.get("save_every_s") and time.time() - last_save >= cfg["save_every_s"]:
            checkpoint(ema, stats_of(ema, step, start, losses))
            last_save = time.time()
    return ema, stats_of(ema, step, start, losses)


def initial_weights(net, cfg, log):
    """net loaded from cfg["init"]; a narrower exported U-Net is loaded and then widened to net's
    channels (widen.py: same function, so training goes on from where the small one stood). The
    init's channels are recorded as cfg["init_channels"] (saved with the checkpoint, for its card)."""
    from warmstart import graph_channels, load_onnx_weights
    have = graph_channels(cfg["init"])
    cfg["init_channels"] = list(have)
    widening = have != tuple(cfg["channels"])
    loaded = EDMDenoiser(have, cfg["emb_dim"], net.num_classes) if widening else net
    message = f"init from {cfg['init']}: graph parity {load_onnx_weights(loaded, cfg['init']):.1e}"
    if not widening:
        log(message)
        return net
    from widen import widen
    log(f"{message}, widened {have[0]}/{have[1]} -> {cfg['channels'][0]}/{cfg['channels'][1]}")
    return widen(loaded, cfg["channels"], seed=cfg["seed"])


def learning_rate(cfg, step, elapsed_s=0.0):
    """Linear warm-up over cfg["warmup"] steps; then constant, or with --lr-decay linear, falling
    linearly to 0 at cfg["steps"] or at cfg["time_limit_s"] of training, whichever comes first (an
    annealing stage that ends on time when the machine is slower than planned)."""
    lr = cfg["lr"] * min(1.0, (step + 1) / max(1, cfg["warmup"]))
    if cfg.get("lr_decay") == "linear":
        done = max(step / cfg["steps"], elapsed_s / cfg.get("time_limit_s", float("inf")))
        lr *= max(0.0, 1.0 - done)
    return lr


def stats_of(ema, step, start, losses):
    return {"training_steps": step, "training_time_s": round(time.time() - start, 1),
            "parameters": count_parameters(ema), "final_loss": float(np.mean(losses[-100:]))}


def save(path, cfg, ema, stats):
    """The checkpoint export.py reads; written to a temporary file and renamed (never half-written)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save({"config": cfg, "stats": stats, "state_dict": ema.state_dict()}, path + ".tmp")
    os.replace(path + ".tmp", path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--augment-dim", default="inf", help="D: a number >= 1 (1 = PFGM), or 'inf' for EDM")
    ap.add_argument("--max-radius-factor", type=ranged(float, 1.0, 1e9, "--max-radius-factor"),
                    help="clip the training noise radius to K·σ·√N (pfgm.perturbation; for D = 1)")
    ap.add_argument("--conditional", action="store_true")
    ap.add_argument("--data", default="models/train/out/mnist.npz")
    ap.add_argument("--out", required=True, help="checkpoint .pt (EMA weights + config + stats)")
    ap.add_argument("--steps", type=ranged(int, 1, 10 ** 8, "--steps"), default=2000)
    ap.add_argument("--time-limit-s", type=ranged(float, 1e-3, 1e7, "--time-limit-s"), default=690)
    ap.add_argument("--batch", type=ranged(int, 1, 4096, "--batch"), default=64)
    ap.add_argument("--lr", type=ranged(float, 1e-8, 1.0, "--lr"), default=2e-3)
    ap.add_argument("--lr-decay", choices=["constant", "linear"], default="constant",
                    help="linear: the learning rate falls linearly to 0 at --steps or --time-limit-s, "
                    "whichever comes first")
    ap.add_argument("--warmup", type=ranged(int, 0, 10 ** 8, "--warmup"), default=100)
    ap.add_argument("--ema", type=ranged(float, 0.0, 0.999999, "--ema"), default=0.998)
    ap.add_argument("--label-dropout", type=ranged(float, 0.0, 1.0, "--label-dropout"), default=0.0)
    ap.add_argument("--channels", type=ranged(int, 1, 1024, "--channels"), nargs=2, default=[16, 32])
    ap.add_argument("--emb-dim", type=ranged(int, 4, 4096, "--emb-dim"), default=128)
    ap.add_argument("--subset", type=ranged(int, 0, 10 ** 8, "--subset"), default=0,
                    help="use only the first N training images (tests); 0: all")
    ap.add_argument("--seed", type=ranged(int, 0, SEED_MAX, "--seed"), default=1)
    ap.add_argument("--init", help="models/<id>/model.onnx to continue training from (same channels, "
                    "or a narrower U-Net: widened by an integer factor, same function)")
    ap.add_argument("--save-every-s", type=ranged(float, 1.0, 1e7, "--save-every-s"),
                    help="also write --out every this many seconds while training")
    ap.add_argument("--threads", type=ranged(int, 1, 256, "--threads"), default=1)
    cfg = {k.replace("-", "_"): v for k, v in vars(ap.parse_args(argv)).items()}
    ema, stats = train(cfg, log=lambda m: print(m, flush=True),
                       checkpoint=lambda net, st: save(cfg["out"], cfg, net, st))
    save(cfg["out"], cfg, ema, stats)
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main()
