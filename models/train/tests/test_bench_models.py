"""Benchmark models (make_bench_model.py) and the export path for any module (export_module.py)."""
import hashlib
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path[:0] = [os.path.dirname(HERE), HERE]
import cifar_unet  # noqa: E402
import contract  # noqa: E402
import export_module  # noqa: E402
import make_bench_model  # noqa: E402
from model import EDMDenoiser, count_parameters  # noqa: E402


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """make_bench_model's small folder, seed 1: (folder, parameter count)."""
    torch.set_num_threads(1)
    folder, params, _ = make_bench_model.make("small", str(tmp_path_factory.mktemp("bench")), seed=1)
    return folder, params


def test_small_bench_model_is_a_served_cifar_folder(small):
    folder, params = small
    card, check = contract.assert_served_folder(folder)
    assert card["id"] == "cifar-unet-small" and os.path.basename(folder) == card["id"]
    assert card["shape"] == [3, 32, 32] and card["augment_dim"] == 128 and card["class_labels"] == []
    assert card["sigma_data"] == 0.5
    p = card["provenance"]
    assert p["kind"] == "random-weights" and p["seed"] == 1 and p["parameters"] == params
    assert p["export"]["opset"] == 17 and p["export"]["parity_max_abs"] <= 1e-4
    assert check["sigma"] == [0.5, 5.0] and check["shape"] == [2, 3, 32, 32] and check["atol"] == 1e-5


def test_small_bench_model_has_the_documented_parameter_count(small):
    # models/README.md: 3,987,747 ("a few million").
    assert small[1] == 3_987_747


def test_ddpmpp_has_about_the_parameters_of_edms_ddpmpp():
    # EDM's DDPM++ for CIFAR-10 has 55,732,739; ours is documented as 57,381,123 (+3 %).
    assert count_parameters(cifar_unet.denoiser("ddpmpp")) == 57_381_123


def test_bench_weights_are_a_function_of_the_seed_alone():
    a, b, c = (cifar_unet.build("small", s).state_dict() for s in (7, 7, 8))
    assert all(torch.equal(a[k], b[k]) for k in a)
    weights = [k for k in a if k.endswith("conv1.weight")]
    assert weights and not any(torch.equal(a[k], c[k]) for k in weights)


def test_bench_model_output_is_finite_and_uses_the_network_over_the_sigma_range(small):
    import onnxruntime as ort
    sess = ort.InferenceSession(os.path.join(small[0], "model.onnx"), providers=["CPUExecutionProvider"])
    sigma = np.array([0.002, 0.01, 0.1, 1.0, 10.0, 80.0])
    rng = np.random.default_rng(3)
    x = 0.5 * rng.standard_normal((6, 3, 32, 32)) + sigma[:, None, None, None] * rng.standard_normal((6, 3, 32, 32))
    (den,) = sess.run(None, {"x": x.astype(np.float32), "sigma": sigma.astype(np.float32)})
    assert np.isfinite(den).all()
    # F = (Dθ − c_skip·x)/c_out: O(1) and not constant at every σ (no dead branch, no blow-up).
    s = sigma[:, None, None, None]
    f = (den - 0.25 / (s ** 2 + 0.25) * x) / (s * 0.5 / np.sqrt(s ** 2 + 0.25))
    spread = f.reshape(6, -1).std(axis=1)
    assert (spread > 0.05).all() and (np.abs(f) < 20).all(), spread


def _readme_example():
    text = open(os.path.join(REPO, "models", "README.md"), encoding="utf-8").read()
    m = re.search(r"<!-- test_bench_models.py runs the next block -->\n```sh\n(.*?)```", text, re.S)
    assert m, "models/README.md lost its export_module example"
    return m.group(1)


def test_readme_example_exports_a_module_to_the_same_graph_as_the_generator(small, tmp_path):
    env = dict(os.environ, PY=sys.executable, OUT=str(tmp_path))
    subprocess.run(["bash", "-euo", "pipefail", "-c", _readme_example()], cwd=REPO, env=env, check=True,
                   capture_output=True, text=True)
    folder = tmp_path / "my-model"
    card, check = contract.assert_served_folder(str(folder))
    assert card["provenance"]["kind"] == "exported-module"
    assert card["provenance"]["module"] == "cifar_unet:denoiser"
    assert card["provenance"]["weights"]["key"] == "ema"
    digest = hashlib.sha256((tmp_path / "weights.pt").read_bytes()).hexdigest()
    assert card["provenance"]["weights"]["sha256"] == digest
    # Same module, same weights: the export is deterministic, byte for byte.
    assert (folder / "model.onnx").read_bytes() == open(os.path.join(small[0], "model.onnx"), "rb").read()


def test_export_module_exports_a_tiny_conditional_denoiser(tmp_path):
    torch.manual_seed(0)
    net = EDMDenoiser((8, 16), 32, num_classes=3)
    with torch.no_grad():  # the zero-initialised output layers would make F ≡ 0
        for p in net.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=torch.Generator().manual_seed(p.numel())))
    torch.save({"state_dict": net.state_dict()}, tmp_path / "tiny.pt")
    out = tmp_path / "tiny-cond"
    export_module.main([
        "--module", "model:EDMDenoiser", "--kwargs", '{"channels": [8, 16], "emb_dim": 32, "num_classes": 3}',
        "--weights", str(tmp_path / "tiny.pt"), "--weights-key", "state_dict",
        "--shape", "1", "28", "28", "--augment-dim", "inf", "--class-labels", "cat", "dog", "fox",
        "--id", "tiny-cond", "--out", str(out), "--description", "tiny", "--dataset", "none",
        "--license", "none", "--parity-batches", "1", "3", "--steps", "10", "--solver", "euler"])
    card, check = contract.assert_served_folder(str(out))
    assert card["class_labels"] == ["cat", "dog", "fox"] and card["augment_dim"] == "inf"
    assert card["default_steps"] == 10 and card["default_solver"] == "euler"
    assert card["provenance"]["parameters"] == count_parameters(net)
    assert len(check["class_labels"]) == 2 * 3


BAD = {
    "folder name is not the id": ["--out", "{tmp}/other"],
    "2 channels": ["--shape", "2", "8", "8"],
    "more than 262144 values": ["--shape", "3", "512", "512"],
    "D below 1": ["--augment-dim", "0.5"],
    "kwargs not an object": ["--kwargs", "[1]"],
    "id with a slash": ["--id", "a/b", "--out", "{tmp}/b"],
    "steps out of range": ["--steps", "0"],
    "weights key without weights": ["--weights-key", "ema"],
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_export_module_refuses_bad_arguments_before_exporting(case, tmp_path, capsys):
    base = {"--module": ["model:EDMDenoiser"], "--shape": ["1", "28", "28"], "--augment-dim": ["128"],
            "--id": ["m"], "--out": [str(tmp_path / "m")], "--description": ["d"], "--dataset": ["d"],
            "--license": ["l"]}
    override = [a.replace("{tmp}", str(tmp_path)) for a in BAD[case]]
    for flag in (a for a in override if a.startswith("--")):
        base.pop(flag, None)
    argv = [t for k, v in base.items() for t in [k, *v]] + override
    with pytest.raises(SystemExit) as e:
        export_module.main(argv)
    assert e.value.code == 2
    assert not os.listdir(tmp_path), "nothing is written for a refused command line"
    assert "error:" in capsys.readouterr().err
