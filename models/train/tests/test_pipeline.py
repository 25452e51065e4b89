"""Pipeline tests on a tiny configuration: data parsing, PFGM++ noise, a few training steps,
ONNX export, parity with PyTorch, and the card/graph contract the Java server relies on."""
import json
import math
import os
import sys

import numpy as np
import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]
import classifier  # noqa: E402
import contract  # noqa: E402
import data  # noqa: E402
import evaluate  # noqa: E402
import export  # noqa: E402
import pfgm  # noqa: E402
import sample  # noqa: E402
import served  # noqa: E402
import train  # noqa: E402


def score_with_quality_table(tmp_path, samples, *extra):
    """Runs quality_table.py over the folder samples with a tiny data set and an untrained
    classifier; returns its rows by model name."""
    import quality_table

    root, _ = _fake_package(tmp_path / "mnist")
    npz = str(root / "mnist.npz")
    data.main(str(root), npz, test_per_class=1)
    torch.manual_seed(0)
    clf = str(tmp_path / "classifier.pt")
    torch.save(classifier.Classifier().state_dict(), clf)
    out = tmp_path / "q.json"
    argv = sys.argv
    sys.argv = ["quality_table.py", "--dir", str(samples), "--data", npz, "--classifier", clf, "--json", str(out),
                "--md", str(tmp_path / "q.md"), "--grids", "", *extra]
    try:
        quality_table.main()
    finally:
        sys.argv = argv
    return {r["model"]: r for r in json.loads(out.read_text())["rows"]}


def _fake_package(root, per_class=3):
    """The npm package's layout: src/digits/<d>.json = {"data": [pixel/255 with 3 decimals]}."""
    rng = np.random.default_rng(0)
    os.makedirs(root / "src" / "digits")
    originals = []
    for d in range(10):
        u8 = rng.integers(0, 256, (per_class, 784))
        vals = [round(v / 255, 3) for v in u8.ravel().tolist()]
        (root / "src" / "digits" / f"{d}.json").write_text(json.dumps({"data": vals}))
        originals.append(u8.reshape(per_class, 28, 28))
    return root, originals


@pytest.fixture(scope="module")
def tiny_npz(tmp_path_factory):
    root, _ = _fake_package(tmp_path_factory.mktemp("mnist"))
    path = str(root / "mnist.npz")
    data.main(str(root), path, test_per_class=1)
    return path


def test_package_digits_become_unit_range_with_stratified_holdout(tiny_npz):
    images, _ = data.load_package(os.path.dirname(tiny_npz))
    z = data.load_npz(tiny_npz)
    assert z["train_x"].shape == (20, 1, 28, 28) and z["test_x"].shape == (10, 1, 28, 28)
    assert np.bincount(z["test_y"], minlength=10).tolist() == [1] * 10
    # The held-out image of each class is that class's last one in the package.
    assert np.array_equal(z["test_x"][3, 0], images[3][-1] / np.float32(127.5) - 1)
    both = np.concatenate([z["train_x"], z["test_x"]])
    assert both.min() >= -1.0 and both.max() <= 1.0


def test_three_decimal_pixels_recover_their_8_bit_values(tmp_path):
    root, originals = _fake_package(tmp_path)
    images, labels = data.load_package(str(root))
    for d in range(10):
        assert np.array_equal(images[d], originals[d]) and (labels[d] == d).all()


def test_schedule_matches_design_check_values():
    s = pfgm.schedule(18)
    # numpy's vectorised pow rounds the last bit differently by CPU: compare to DESIGN's tolerance.
    assert s[0] == pytest.approx(80, rel=1e-15)
    # σ_n = 0 is appended as a literal, exact by construction.
    assert s[-1] == 0 and len(s) == 19
    assert s[1] == pytest.approx(57.58598472124816, rel=1e-14)
    assert s[16] == pytest.approx(0.007528019962784078, rel=1e-12)
    assert s[17] == pytest.approx(0.002, rel=1e-12)


@pytest.mark.parametrize("augment_dim", [16.0, 128.0, math.inf])
def test_training_noise_has_pfgmpp_radius(augment_dim):
    n_dim, sigma = 784, 2.0
    gen = torch.Generator().manual_seed(0)
    noise = pfgm.perturbation(torch.full((4000,), sigma), augment_dim, (1, 28, 28), gen)
    r2 = noise.reshape(4000, -1).double().pow(2).sum(1).mean().item()
    want = sigma ** 2 * n_dim * (1 if math.isinf(augment_dim) else augment_dim / (augment_dim - 2))
    assert r2 == pytest.approx(want, rel=0.03)


@pytest.mark.parametrize("augment_dim", [16.0, math.inf])
def test_training_noise_comes_from_the_seeded_generator(augment_dim):
    def draw(seed):
        return pfgm.perturbation(torch.full((64,), 1.5), augment_dim, (1, 28, 28), torch.Generator().manual_seed(seed))
    assert torch.equal(draw(3), draw(3))
    assert not torch.equal(draw(3), draw(4))


def test_prior_radius_moments():
    rng = np.random.default_rng(0)
    x = pfgm.prior(rng, 4000, (1, 28, 28), 128.0, 80.0)
    r2 = (x.reshape(4000, -1) ** 2).sum(1).mean()
    assert r2 == pytest.approx(80.0 ** 2 * 784 * 128 / 126, rel=0.03)


def test_heun_is_second_order_on_the_linear_gaussian_denoiser():
    sd, x0 = 0.5, np.array([[3.0, -40.0]])

    def error(steps):
        out = pfgm.heun(lambda x, s: (x * sd ** 2 / (s[:, None] ** 2 + sd ** 2)).astype(np.float32),
                        x0, pfgm.schedule(steps))
        return np.abs(out - x0 * sd / math.sqrt(80.0 ** 2 + sd ** 2)).max()
    e18, e36, e72 = error(18), error(36), error(72)
    assert e18 < 0.02 and e18 / e36 > 3 and e36 / e72 > 3


def test_frechet_is_zero_on_identical_sets_and_sees_a_shift():
    a = np.random.default_rng(0).standard_normal((300, 8))
    assert abs(evaluate.frechet(a, a)) < 1e-6
    assert evaluate.frechet(a, a + 2.0) == pytest.approx(4.0 * 8, rel=1e-6)


def _tiny_cfg(npz, augment_dim, conditional):
    return {"augment_dim": augment_dim, "conditional": conditional, "data": npz, "steps": 3,
            "time_limit_s": 60, "batch": 4, "lr": 2e-3, "warmup": 1, "ema": 0.9,
            "label_dropout": 0.0, "channels": [8, 16], "emb_dim": 32, "subset": 0, "seed": 1,
            "threads": 1}


def _two_stages(tmp_path, cfg, log=lambda m: None, **stage2):
    """Trains and exports cfg as model "m", continues it (--init) with cfg changed by stage2 and
    exports that with --previous-card; returns the second network and its card's provenance."""
    net, stats = train.train(cfg, log=lambda m: None)
    train.save(str(tmp_path / "a.pt"), cfg, net, stats)
    export.main(["--ckpt", str(tmp_path / "a.pt"), "--id", "m", "--description", "stage 1",
                 "--models-dir", str(tmp_path / "one")])
    cfg2 = dict(cfg, init=str(tmp_path / "one" / "m" / "model.onnx"), **stage2)
    net2, stats2 = train.train(cfg2, log=log)
    train.save(str(tmp_path / "b.pt"), cfg2, net2, stats2)
    export.main(["--ckpt", str(tmp_path / "b.pt"), "--id", "m", "--description", "stage 2",
                 "--models-dir", str(tmp_path / "two"),
                 "--previous-card", str(tmp_path / "one" / "m" / "model.json")])
    with open(tmp_path / "two" / "m" / "model.json") as f:
        return net2, json.load(f)["provenance"]


def test_a_continued_run_lists_every_stage_with_its_recipe(tiny_npz, tmp_path):
    _, prov = _two_stages(tmp_path, _tiny_cfg(tiny_npz, "128", False), lr=5e-4, lr_decay="linear", seed=2)
    assert [st["seed"] for st in prov["stages"]] == [1, 2]
    assert prov["training_steps"] == 6
    assert prov["stages"][1]["recipe"] == {"batch": 4, "lr": 5e-4, "lr_decay": "linear", "warmup": 1,
                                           "ema": 0.9}
    assert prov["stages"][1]["init"] == "EMA weights of the previous stage"


def test_the_learning_rate_warms_up_then_stays_or_falls_linearly_to_zero():
    cfg = {"lr": 1e-3, "warmup": 10, "steps": 1000}
    assert train.learning_rate(cfg, 0) == pytest.approx(1e-4)
    assert train.learning_rate(cfg, 500) == pytest.approx(1e-3)
    linear = dict(cfg, lr_decay="linear")
    assert train.learning_rate(linear, 500) == pytest.approx(5e-4)
    assert train.learning_rate(linear, 999) == pytest.approx(1e-6)
    assert train.learning_rate(linear, 1000) == 0.0
    timed = dict(linear, time_limit_s=100.0)  # whichever end comes first
    assert train.learning_rate(timed, 250, elapsed_s=75.0) == pytest.approx(2.5e-4)
    assert train.learning_rate(timed, 750, elapsed_s=25.0) == pytest.approx(2.5e-4)


def test_a_long_run_writes_checkpoints_while_it_trains(tiny_npz):
    seen = []
    cfg = dict(_tiny_cfg(tiny_npz, "inf", False), save_every_s=1e-9)
    train.train(cfg, log=lambda m: None, checkpoint=lambda net, st: seen.append(st["training_steps"]))
    assert seen == [1, 2, 3]
    seen.clear()
    train.train(_tiny_cfg(tiny_npz, "inf", False), log=lambda m: None,
                checkpoint=lambda net, st: seen.append(st))
    assert seen == []  # only when asked


@pytest.mark.parametrize("augment_dim,conditional,latent", [("128", False, False), ("inf", True, False),
                                                             ("128", True, True)])
def test_train_export_meets_the_graph_and_card_contract(tiny_npz, tmp_path, augment_dim, conditional, latent):
    cfg = _tiny_cfg(tiny_npz, augment_dim, conditional)
    net, stats = train.train(cfg, log=lambda m: None)
    assert stats["training_steps"] == 3
    # Make the output branch non-trivial (zero-initialised layers) so parity is a real check.
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=torch.Generator().manual_seed(p.numel())))
    ckpt = tmp_path / "m.pt"
    train.save(str(ckpt), cfg, net, stats)
    assert not (tmp_path / "m.pt.tmp").exists()
    export.main(["--ckpt", str(ckpt), "--id", "tiny", "--description", "tiny test model",
                 "--models-dir", str(tmp_path)] + (["--latent-class"] if latent else []))
    out = tmp_path / "tiny"
    onnx_path = str(out / "model.onnx")
    assert os.path.getsize(onnx_path) <= 10 * 1024 * 1024
    assert served.verify(export.load_checkpoint(str(ckpt))[0], onnx_path) <= 1e-4

    card = _assert_contract(str(out))
    assert card["augment_dim"] == ("inf" if augment_dim == "inf" else 128)
    assert card["class_labels"] == ([str(i) for i in range(10)] if conditional and not latent else [])
    assert card["provenance"]["training_steps"] == 3
    if latent:  # the training digits' class shares
        y = np.load(tiny_npz)["train_y"][: cfg["subset"] or None]
        assert card["latent_class_prior"] == pytest.approx(np.bincount(y, minlength=10) / len(y), abs=1e-12)
        drawn, requested = sample.sample(str(out), 3, steps=2)  # classes drawn, none requested
        assert drawn.shape == (3, 1, 28, 28) and np.isfinite(drawn).all() and requested is None
    else:
        assert "latent_class_prior" not in card


def test_latent_class_export_needs_a_conditional_checkpoint(tiny_npz, tmp_path):
    cfg = _tiny_cfg(tiny_npz, "128", False)
    net, stats = train.train(cfg, log=lambda m: None)
    train.save(str(tmp_path / "m.pt"), cfg, net, stats)
    with pytest.raises(ValueError, match="class-conditional checkpoint"):
        export.main(["--ckpt", str(tmp_path / "m.pt"), "--id", "tiny", "--description", "d",
                     "--models-dir", str(tmp_path), "--latent-class"])


SHIPPED = sorted(d for d in os.listdir(os.path.join(HERE, "..", ".."))
                 if d.startswith("mnist-unet-") and os.path.isdir(os.path.join(HERE, "..", "..", d)))


@pytest.mark.parametrize("model_id", SHIPPED)
def test_shipped_model_meets_the_graph_and_card_contract(model_id):
    card = _assert_contract(os.path.join(HERE, "..", "..", model_id))
    assert card["id"] == model_id
    assert card["augment_dim"] == "inf" or card["augment_dim"] >= 1


def _assert_contract(model_dir):
    """The served-folder contract, and what every trained MNIST folder (or quantized variant of
    one) has in common."""
    assert os.path.getsize(os.path.join(model_dir, "model.onnx")) <= 10 * 1024 * 1024
    card, check = contract.assert_served_folder(model_dir)
    assert card["shape"] == [1, 28, 28] and card["sigma_data"] == 0.5
    assert card["provenance"]["kind"] in ("trained", "quantized")
    assert check["sigma"] == [0.5, 5.0]
    return card


# Out-of-range options are usage errors (exit 2, naming the option) before any work starts.
REFUSED = [
    (train, ["--out", "x.pt", "--steps", "0"], "--steps"),
    (train, ["--out", "x.pt", "--batch", "-1"], "--batch"),
    (train, ["--out", "x.pt", "--lr", "nan"], "--lr"),
    (train, ["--out", "x.pt", "--ema", "1"], "--ema"),
    (train, ["--out", "x.pt", "--label-dropout", "1.5"], "--label-dropout"),
    (train, ["--out", "x.pt", "--channels", "16", "0"], "--channels"),
    (train, ["--out", "x.pt", "--threads", "0"], "--threads"),
    (train, ["--out", "x.pt", "--seed", "-1"], "--seed"),
    (train, ["--out", "x.pt", "--steps", "ten"], "--steps must be an integer"),
    (sample, ["--model", "m", "--out", "o", "--count", "0"], "--count"),
    (classifier, ["--epochs", "0"], "--epochs"),
]


@pytest.mark.parametrize("module, argv, option", REFUSED, ids=[" ".join(a[-2:]) for _, a, _ in REFUSED])
def test_out_of_range_options_are_refused(module, argv, option, capsys):
    with pytest.raises(SystemExit) as e:
        module.main(argv)
    assert e.value.code == 2
    assert option in capsys.readouterr().err


def test_the_reports_floors_are_one_seeded_computation(tiny_npz):
    # evaluate.py's report and quality_table.py's table take both floors from these two functions.
    torch.manual_seed(0)
    net = classifier.Classifier().eval()
    d = data.load_npz(tiny_npz)
    report = evaluate.evaluate(net, d, d["train_x"][:8])
    test_f, _ = evaluate.features_and_probs(net, d["test_x"])
    assert report["fd_train_vs_heldout_same_count"] == round(
        evaluate.floor_same_count(net, d["train_x"], test_f, 8), 3)
    assert report["fd_floor_heldout_halves"] == round(evaluate.floor_heldout_halves(test_f), 3)


def test_widening_keeps_the_function_and_separates_the_copies():
    import widen
    torch.manual_seed(0)
    small = export.EDMDenoiser((8, 16), 32, 10)
    with torch.no_grad():  # trained-looking weights: no zero-initialised layer, GroupNorm affines ≠ 1/0
        for p in small.parameters():
            p.add_(0.3 * torch.randn(p.shape))
    wide = widen.widen(small, (16, 32), noise=0.05)
    gen = torch.Generator().manual_seed(1)
    sigma = torch.exp(torch.empty(6).uniform_(math.log(0.002), math.log(80.0), generator=gen))
    x = torch.randn(6, 1, 28, 28, generator=gen) * torch.sqrt(sigma ** 2 + 0.25)[:, None, None, None]
    labels = torch.eye(10)[torch.tensor([0, 3, 9, 1, 1, 7])]
    with torch.no_grad():
        want, got = small.eval()(x, sigma, labels), wide.eval()(x, sigma, labels)
    assert float((got - want).abs().max()) <= 1e-5 * float(want.abs().max())
    w = wide.net.enc14.conv1.weight  # consumer columns 2c, 2c+1: distinct, summing to the original
    assert not torch.equal(w[:, 0::2], w[:, 1::2])
    assert torch.allclose((w[:, 0::2] + w[:, 1::2])[0::2], small.net.enc14.conv1.weight, atol=1e-6)
    with pytest.raises(ValueError, match="integer multiple"):
        widen.widen(small, (16, 24))


def test_a_run_from_a_narrower_export_is_widened_and_its_card_says_so(tiny_npz, tmp_path):
    logs = []
    net2, prov = _two_stages(tmp_path, dict(_tiny_cfg(tiny_npz, "128", False), channels=[8, 16]),
                             log=logs.append, channels=[16, 32])
    assert "widened 8/16 -> 16/32" in logs[0]
    assert net2.net.conv_in.out_channels == 16
    assert "channels 16/32" in prov["architecture"]
    assert prov["stages"][1]["init"] == ("EMA weights of the previous stage, widened from channels 8/16 "
                                         "to 16/32 without changing its function (widen.py)")
