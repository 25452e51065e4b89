"""Bit-exact batch invariance of the shipped graphs, the quantized variants against their sources,
and the D = 1 training noise (its optional radius clip)."""
import hashlib
import json
import math
import os
import sys

import numpy as np
import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..")
sys.path[:0] = [os.path.dirname(HERE), HERE]
import model  # noqa: E402
import pfgm  # noqa: E402
import quantize  # noqa: E402
import served  # noqa: E402

SHIPPED = sorted(d for d in os.listdir(MODELS) if os.path.isfile(os.path.join(MODELS, d, "model.json")))


def _card(model_id):
    with open(os.path.join(MODELS, model_id, "model.json")) as f:
        return json.load(f)


def _positions_differing(onnx_path, max_batch, rows=20, seed=0, far=1.0):
    """Rows run alone vs at every position of batches 1..max_batch: how many outputs differ in any bit.
    far: every other row's x is multiplied by it (rows far beyond the data, as the D = 1 prior draws)."""
    sess = served.session(onnx_path)
    shape, num_classes = served.signature(sess)
    rng = np.random.default_rng(seed)
    sigmas = np.exp(rng.uniform(math.log(0.002), math.log(80.0), rows))
    f = served.feeds(rng, sigmas, shape, num_classes)
    f["x"] = (f["x"] * np.where(np.arange(rows) % 2 == 0, far, 1.0).reshape(-1, 1, 1, 1)).astype(np.float32)

    def run(idx):
        return sess.run(["denoised"], {k: v[idx] for k, v in f.items()})[0]
    alone = np.concatenate([run([i]) for i in range(rows)])
    differing = 0
    for b in range(1, max_batch + 1):
        idx = [(b + j) % rows for j in range(b)]  # each batch starts elsewhere, rows repeat past 20
        out = run(idx)
        differing += sum(not np.array_equal(out[j].view(np.uint32), alone[i].view(np.uint32))
                         for j, i in enumerate(idx))
    return differing


@pytest.mark.parametrize("model_id", SHIPPED)
def test_a_rows_output_is_bit_identical_at_every_batch_position(model_id):
    # Batches 1..33 cover every tail length of 4-, 8- and 16-lane vector blocks and two thread chunks.
    assert _positions_differing(os.path.join(MODELS, model_id, "model.onnx"), 33) == 0


def test_rows_beyond_the_radius_guard_are_bit_identical_at_every_batch_position():
    # mnist-unet-d1's guard takes each row's norm: far rows (x × 1,000) choose the guarded σ.
    assert _card("mnist-unet-d1")["provenance"]["radius_guard"] == 8
    assert _positions_differing(os.path.join(MODELS, "mnist-unet-d1", "model.onnx"), 33, far=1000.0) == 0


def test_the_radius_guard_leaves_rows_within_the_training_clip_alone_and_lifts_the_rest():
    gen = torch.Generator().manual_seed(0)
    y = torch.rand((64, 1, 28, 28), generator=gen) * 2 - 1  # any data in [-1, 1]
    sigma = torch.exp(torch.linspace(math.log(0.002), math.log(80.0), 64))
    clipped = pfgm.perturbation(sigma, 1, (1, 28, 28), gen, max_radius_factor=8)
    assert torch.equal(model.guarded_sigma(y + clipped, sigma, 8), sigma)  # bit for bit: the plain path
    rms = torch.linspace(9.0, 1000.0, 64) * sigma + 2.0  # beyond 8·σ·√N + the data's own norm
    far = clipped / clipped.reshape(64, -1).pow(2).mean(1).sqrt().reshape(-1, 1, 1, 1) * rms.reshape(-1, 1, 1, 1)
    x = y + far
    got = model.guarded_sigma(x, sigma, 8)
    want = ((x.double().reshape(64, -1).pow(2).mean(1).sqrt() - 1) / 8).float()
    assert torch.all(got > sigma) and torch.allclose(got, want, rtol=1e-6)


def test_noise_conditioning_is_the_float32_log_to_within_an_ulp():
    sigma = torch.exp(torch.linspace(math.log(0.002), math.log(80.0), 1000))
    got = model.noise_conditioning(sigma)
    assert got.dtype == torch.float32
    want = (torch.log(sigma.double()) / 4).float()
    assert torch.equal(got, want)


QUANTIZED = [m for m in SHIPPED if _card(m)["provenance"]["kind"] == "quantized"]


@pytest.mark.parametrize("model_id", QUANTIZED)
def test_a_quantized_variant_is_derived_from_the_shipped_source(model_id):
    card = _card(model_id)
    p = card["provenance"]
    src = _card(p["source"]["id"])
    with open(os.path.join(MODELS, src["id"], "model.onnx"), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == p["source"]["model_onnx_sha256"], \
            "the source was re-exported: run quantize.py again"
    same = ("augment_dim", "shape", "sigma_min", "sigma_max", "rho", "sigma_data", "class_labels")
    assert {k: card[k] for k in same} == {k: src[k] for k in same}
    assert 5 <= p["bits"] <= 9


@pytest.mark.parametrize("model_id", [m for m in QUANTIZED if "tensors" in _card(m)["provenance"]])
def test_affine_variant_has_at_most_2_to_the_k_levels_per_weight_tensor(model_id):
    import onnx
    from onnx import numpy_helper
    p = _card(model_id)["provenance"]
    graph = onnx.load(os.path.join(MODELS, model_id, "model.onnx")).graph
    weights = {n.input[1] for n in graph.node if n.op_type in quantize.WEIGHT_OPS}
    inits = [numpy_helper.to_array(i) for i in graph.initializer if i.name in weights]
    assert len(inits) == p["tensors"] > 10
    assert all(len(np.unique(w)) <= 2 ** p["bits"] for w in inits)


def test_affine_quantization_rounds_to_the_nearest_of_2_to_the_k_levels():
    w = np.random.default_rng(0).standard_normal(5000).astype(np.float32)
    q = quantize.affine(w, 5)
    s = (w.max() - w.min()) / 31
    levels = (np.unique(q).astype(np.float64) - w.min()) / s
    assert len(levels) <= 32 and np.abs(levels - np.round(levels)).max() < 1e-4  # on the grid
    assert np.abs(q - w).max() <= s / 2 * (1 + 1e-5)
    assert q.min() == pytest.approx(w.min()) and q.max() == pytest.approx(w.max())


def test_d1_training_noise_is_heavy_tailed_and_the_clip_bounds_only_the_radius():
    sigma = torch.full((20000,), 0.5)
    n_dim = 784

    def radius(factor):
        gen = torch.Generator().manual_seed(0)
        noise = pfgm.perturbation(sigma, 1.0, (1, 28, 28), gen, factor)
        return noise.reshape(20000, -1).double().norm(dim=1) / 0.5
    free, clipped = radius(None), radius(8.0)
    # BetaPrime(392, 1/2): R/σ exceeds 223 for 10 % of draws, the median is 41.5 (N = 784).
    assert 0.08 < (free > 223).double().mean() < 0.12
    assert free.median().item() == pytest.approx(41.5, rel=0.05)
    bound = 8.0 * math.sqrt(n_dim)
    assert clipped.max().item() <= bound * (1 + 1e-6)
    same = free < bound
    assert torch.allclose(free[same], clipped[same])  # the same draws, only the tail cut


def test_a_re_export_keeps_the_radius_guard(tmp_path):
    import shutil

    import reexport
    folder = tmp_path / "mnist-unet-d1"
    shutil.copytree(os.path.join(MODELS, "mnist-unet-d1"), folder)
    reexport.reexport(str(folder), why="test")
    rng = np.random.default_rng(0)
    sigma = np.full(4, 0.01, np.float32)
    feeds = served.feeds(rng, sigma, (1, 28, 28), 10)
    feeds["x"] = (feeds["x"] * 1000.0).astype(np.float32)  # far beyond the clip at σ = 0.01
    before = served.session(os.path.join(MODELS, "mnist-unet-d1", "model.onnx")).run(["denoised"], feeds)[0]
    after = served.session(str(folder / "model.onnx")).run(["denoised"], feeds)[0]
    assert np.abs(before).max() < 10 and np.allclose(after, before, atol=1e-3)
