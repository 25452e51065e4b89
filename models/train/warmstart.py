"""Load an exported models/<id>/model.onnx back into an EDMDenoiser (to continue training it).

export.py writes the EMA weights with constant folding: every parameter keeps its name under the
export wrapper's prefix ("net." for unconditional models), except the GroupNorm affines, which torch
folds into anonymous Mul/Add constants in module order, and the bias-free class embedding, exported
as a MatMul by its transposed weight. They are mapped back (in that order; by the MatMul's node
name), and the result is checked against onnxruntime (max |Δ| ≤ 1e-4), so a wrong mapping cannot pass silently.
"""
import numpy as np
import torch


def graph_channels(path):
    """(c1, c2) of the U-Net exported in path (from its conv_in and down14 weights)."""
    import onnx
    dims = {".".join(i.name.split(".")[-2:]): tuple(i.dims)  # by the last two name parts
            for i in onnx.load(path).graph.initializer}
    if "conv_in.weight" in dims and "down14.weight" in dims:
        return dims["conv_in.weight"][0], dims["down14.weight"][0]
    raise ValueError(f"{path}: no conv_in/down14 weights (not an exported U-Net of model.py)")


def load_onnx_weights(net, path, tol=1e-4):
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    model = onnx.load(path)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    sd = net.state_dict()
    prefix = "" if net.num_classes else "net."
    folded = [v for k, v in inits.items() if k.startswith("onnx::") and v.ndim == 3]  # [C,1,1] Mul/Add
    norms = [k for k in sd if ".norm" in k or k.startswith("net.norm_out")]
    if len(folded) != len(norms):
        raise ValueError(f"{path}: {len(folded)} folded GroupNorm constants for {len(norms)} norm tensors")
    matmuls = {n.name: n.input[1] for n in model.graph.node if n.op_type == "MatMul"}
    new = {}
    for k, v in sd.items():
        if k in norms:
            arr = folded[norms.index(k)].reshape(-1)
        elif k.endswith("pos.freqs"):
            arr = v.numpy()  # a fixed buffer, recomputed by the constructor
        elif prefix + k in inits:
            arr = inits[prefix + k]
        else:  # a bias-free Linear (the class embedding) is exported as MatMul by its transposed weight
            arr = inits[matmuls["/" + (prefix + k).rsplit(".", 1)[0].replace(".", "/") + "/MatMul"]].T
        if tuple(arr.shape) != tuple(v.shape):
            raise ValueError(f"{k}: shape {arr.shape} in {path}, {tuple(v.shape)} in the model")
        new[k] = torch.from_numpy(np.array(arr, dtype=np.float32))
    net.load_state_dict(new)
    # Verify against the graph itself.
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    sigma = np.exp(rng.uniform(np.log(0.002), np.log(80.0), 8)).astype(np.float32)
    feeds = {"x": (rng.standard_normal((8, 1, 28, 28)) * np.sqrt(sigma ** 2 + 0.25)[:, None, None, None])
             .astype(np.float32), "sigma": sigma}
    if net.num_classes:
        feeds["class_labels"] = np.eye(net.num_classes, dtype=np.float32)[rng.integers(0, net.num_classes, 8)]
    (want,) = sess.run(["denoised"], feeds)
    with torch.no_grad():
        got = net.eval()(*[torch.from_numpy(v) for v in feeds.values()]).numpy()
    net.train()
    worst = float(np.abs(got - want).max())
    if not worst <= tol:
        raise ValueError(f"weights loaded from {path} differ from its graph by {worst} (> {tol})")
    return worst
