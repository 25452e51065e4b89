"""The shipped exact-field models: graph == float64 field, dynamic batch, no drift, cards, sampling.

Tolerance against the float64 reference: ATOL = 1e-6 on outputs in [-1, 1]. The graph casts its
float32 inputs to float64 inside, so it is the exact field of those inputs up to the final float32
rounding (~3e-8 measured). A float32-internal graph would sit at ~1e-4 on rows that mix points:
the logits amplify the rounding of ‖x − y‖² by (N+D)/2 or ‖x − y‖²/(2σ²) ≈ N/2.
"""
import json
import math

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import export_exact_field as export
import reference

ATOL = 1e-6
SIGMAS = [0.002, 0.01, 0.1, 1.0, 10.0, 80.0]
CARD_KEYS = {"id", "description", "augment_dim", "shape", "sigma_min", "sigma_max", "rho", "default_steps",
             "default_solver", "sigma_data", "class_labels", "dataset", "license", "provenance"}
MODEL_IDS = list(export.SHIPPED)


@pytest.fixture(scope="module")
def points():
    return export.load_points()


@pytest.fixture(scope="module", params=MODEL_IDS)
def shipped(request):
    """(id, D, ORT session over the shipped model.onnx)."""
    path = export.MODELS_DIR / request.param / "model.onnx"
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return request.param, export.SHIPPED[request.param], session


def run(session, x, sigma):
    (out,) = session.run(["denoised"], {"x": x.astype(np.float32), "sigma": sigma.astype(np.float32)})
    return out


@pytest.mark.parametrize("sigma", SIGMAS)
def test_graph_matches_float64_field(shipped, points, sigma):
    _, augment_dim, session = shipped
    rng = np.random.default_rng(int(sigma * 1000))
    shape = (4,) + points.shape[1:]
    x = np.concatenate([
        points[rng.integers(0, len(points), 4)] + sigma * rng.standard_normal(shape),  # a perturbed data point
        sigma * rng.standard_normal(shape),                                            # the noise at this σ
        rng.uniform(-1, 1, shape),                                                     # anywhere in the box
    ]).astype(np.float32)
    sigmas = np.full(len(x), sigma, np.float32)
    expected = reference.exact_field(x, sigmas, points, augment_dim)
    np.testing.assert_allclose(run(session, x, sigmas), expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("sigma", [0.002, 0.01])
def test_near_a_data_point_small_sigma_returns_that_point(shipped, points, sigma):
    _, _, session = shipped
    rng = np.random.default_rng(7)
    picks = np.array([0, 17, 40, 63])
    x = points[picks] + 0.5 * sigma * rng.standard_normal((len(picks),) + points.shape[1:])
    out = run(session, x, np.full(len(picks), sigma))
    np.testing.assert_allclose(out, points[picks], rtol=0, atol=1e-6)


def test_dynamic_batch_rows_are_independent(shipped, points):
    """B = 1 and B = 5 both run; each row of a mixed-σ batch equals the same row run alone."""
    _, _, session = shipped
    rng = np.random.default_rng(11)
    sigmas = np.array([80.0, 5.0, 0.5, 0.05, 0.002], np.float32)
    x = (points[:5] + sigmas[:, None, None, None] * rng.standard_normal((5,) + points.shape[1:]))
    batched = run(session, x, sigmas)
    assert batched.shape == (5, 1, 28, 28)
    for i in range(5):
        alone = run(session, x[i:i + 1], sigmas[i:i + 1])
        assert alone.shape == (1, 1, 28, 28)
        np.testing.assert_allclose(batched[i:i + 1], alone, rtol=0, atol=1e-6)


def test_shipped_files_match_what_the_script_regenerates(tmp_path):
    export.export_all(tmp_path)
    for model_id in MODEL_IDS:
        shipped_dir, fresh_dir = export.MODELS_DIR / model_id, tmp_path / model_id
        for name in ("model.onnx", "model.json"):
            assert (shipped_dir / name).read_bytes() == (fresh_dir / name).read_bytes(), f"{model_id}/{name} drifted"
        # check.json holds ORT float32 output: equal up to the runtime's own rounding on this CPU.
        shipped_check = json.loads((shipped_dir / "check.json").read_text())
        fresh_check = json.loads((fresh_dir / "check.json").read_text())
        assert shipped_check["x"] == fresh_check["x"] and shipped_check["sigma"] == fresh_check["sigma"]
        np.testing.assert_allclose(shipped_check["denoised"], fresh_check["denoised"], rtol=0, atol=1e-6)


def test_shipped_graph_holds_the_committed_digits(points):
    for model_id in MODEL_IDS:
        model = onnx.load(export.MODELS_DIR / model_id / "model.onnx")
        stored = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}["data_points"]
        np.testing.assert_array_equal(stored, points.reshape(len(points), -1))
        assert model.ir_version == export.IR_VERSION
        assert [(o.domain, o.version) for o in model.opset_import] == [("", export.OPSET)]


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_card_has_every_key_and_matches_the_graph(model_id):
    folder = export.MODELS_DIR / model_id
    card = json.loads((folder / "model.json").read_text())
    assert set(card) == CARD_KEYS
    assert card["id"] == model_id
    augment_dim = export.SHIPPED[model_id]
    assert card["augment_dim"] == ("inf" if math.isinf(augment_dim) else augment_dim)
    assert card["default_solver"] in ("heun", "euler") and card["sigma_data"] is None
    assert card["class_labels"] == [] and card["provenance"]["kind"] == "exact-field"

    def dims(value_info):
        return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]

    graph = onnx.load(folder / "model.onnx").graph
    inputs = {v.name: dims(v) for v in graph.input}
    outputs = {v.name: dims(v) for v in graph.output}
    assert inputs == {"x": ["batch", *card["shape"]], "sigma": ["batch"]}
    assert outputs == {"denoised": ["batch", *card["shape"]]}
    assert card["provenance"]["opset"] == export.OPSET and card["provenance"]["data_points"] == 64


@pytest.mark.parametrize("model_id", MODEL_IDS)
def test_check_vector_reproduces_under_ort(model_id):
    folder = export.MODELS_DIR / model_id
    check = json.loads((folder / "check.json").read_text())
    session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
    x = np.array(check["x"], np.float32).reshape(check["shape"])
    out = run(session, x, np.array(check["sigma"], np.float32))
    np.testing.assert_allclose(out.ravel(), check["denoised"], rtol=0, atol=check["atol"])


def test_heun_18_steps_lands_on_a_data_point(shipped, points):
    """Per DESIGN §1: prior sample → 18-step Heun (35 NFE) with the graph → within 1e-3 of a digit."""
    _, augment_dim, session = shipped
    rng = np.random.default_rng(1234)
    x0 = np.stack([reference.prior(rng, points.shape[1:], augment_dim) for _ in range(6)])
    final = reference.heun(lambda x, s: run(session, x, s).astype(np.float64), x0, reference.schedule())[-1]
    flat = points.reshape(len(points), -1).astype(np.float64)
    dist = np.abs(final.reshape(len(final), 1, -1) - flat[None]).max(axis=2)  # [samples, M], L∞
    assert (dist.min(axis=1) < 1e-3).all(), dist.min(axis=1)


def test_committed_subset_is_the_documented_selection(points):
    meta = json.loads((export.DATA_DIR / "mnist64.json").read_text())
    # 0/127.5 - 1 and 255/127.5 - 1 are exact in float32: the extremes are exact by construction.
    assert points.shape == (64, 1, 28, 28) and points.min() == -1 and points.max() == 1
    assert np.bincount(meta["labels"]).tolist() == [7, 7, 7, 7, 6, 6, 6, 6, 6, 6]
