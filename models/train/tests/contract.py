"""The served-folder contract (models/README.md) as assertions, for any model this pipeline writes."""
import json
import os

import numpy as np

CARD_KEYS = {"id", "description", "augment_dim", "shape", "sigma_min", "sigma_max", "rho",
             "default_steps", "default_solver", "sigma_data", "class_labels", "dataset", "license",
             "provenance"}
# The Java server's ReferenceCheck tolerance; a check.json without "atol" is held to it.
SERVER_ATOL = 1e-5


def dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def assert_served_folder(model_dir):
    """Card keys and the server's card rules, graph inputs/outputs against the card (opset ≤ 17,
    dynamic batch), check.json reproduced by onnxruntime within its atol, rows independent of their
    batch mates. Returns (card, check)."""
    import onnx
    import onnxruntime as ort
    with open(os.path.join(model_dir, "model.json")) as f:
        card = json.load(f)
    assert CARD_KEYS <= set(card) <= CARD_KEYS | {"latent_class_prior"}
    assert card["id"] == os.path.basename(os.path.normpath(model_dir))
    c, h, w = card["shape"]
    assert c in (1, 3) and c * h * w <= 1 << 18
    assert card["augment_dim"] == "inf" or card["augment_dim"] >= 1
    assert 0 < card["sigma_min"] < card["sigma_max"]
    labels = card["class_labels"]
    prior = card.get("latent_class_prior")
    if prior is not None:  # a class-conditional graph whose class the server draws
        assert not labels and prior and min(prior) >= 0 and abs(sum(prior) - 1) <= 1e-6
    k = len(labels) or len(prior or [])

    onnx_path = os.path.join(model_dir, "model.onnx")
    graph = onnx.load(onnx_path, load_external_data=False)
    assert max(o.version for o in graph.opset_import if o.domain in ("", "ai.onnx")) <= 17
    want = {"x": ["batch", c, h, w], "sigma": ["batch"]}
    if k:
        want["class_labels"] = ["batch", k]
    assert {i.name: dims(i) for i in graph.graph.input} == want
    assert [(o.name, dims(o)) for o in graph.graph.output] == [("denoised", ["batch", c, h, w])]

    with open(os.path.join(model_dir, "check.json")) as f:
        check = json.load(f)
    rows = len(check["sigma"])
    assert check.get("shape", [rows, c, h, w]) == [rows, c, h, w]
    atol = check.get("atol", SERVER_ATOL)
    assert atol <= SERVER_ATOL  # what the server holds it to
    feeds = {"x": np.array(check["x"], np.float32).reshape(rows, c, h, w),
             "sigma": np.array(check["sigma"], np.float32)}
    if k:
        feeds["class_labels"] = np.array(check["class_labels"], np.float32).reshape(rows, k)
    else:
        assert "class_labels" not in check
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    got = sess.run(None, feeds)[0]
    assert np.isfinite(got).all()
    assert np.abs(got.ravel() - np.array(check["denoised"])).max() <= atol
    if rows > 1:  # a row's output does not depend on its batch mates
        single = sess.run(None, {k: v[1:] for k, v in feeds.items()})[0]
        assert np.abs(single - got[1:]).max() <= atol
    return card, check
