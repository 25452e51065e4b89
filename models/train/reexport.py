"""Re-export shipped trained models from their own weights, after a change to the export path.

    .tools/torch-venv/bin/python models/train/reexport.py models/mnist-unet-d128 models/mnist-unet-edm ...

The weights are read back from each folder's model.onnx (warmstart.load_onnx_weights, checked
against that graph), the network is exported again through served.write_folder (graph, parity,
check.json) and the card is kept, with provenance.reexport saying what was re-exported and when.
The samples' quality numbers in the card stay valid: the weights are the same, and the graph's
output moves by at most the parity bound (measured: ≤ 1e-6).
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import served  # noqa: E402
from model import EDMDenoiser  # noqa: E402
from warmstart import load_onnx_weights  # noqa: E402

WHY = ("noise conditioning ln(sigma)/4 computed in float64 over 16 lanes per row (model.noise_conditioning),"
       " so a row's output is bit-identical wherever it sits in a batch")


def architecture(onnx_path):
    """(channels (c1, c2), emb_dim) read from the graph's initializer shapes."""
    import onnx
    from onnx import numpy_helper
    shapes = {i.name: numpy_helper.to_array(i).shape for i in onnx.load(onnx_path).graph.initializer}

    def find(suffix):
        (name,) = [k for k in shapes if k.endswith(suffix)]
        return shapes[name]
    c1 = find("net.conv_in.weight")[0]
    c2 = find("net.down14.weight")[0]
    emb_dim = find("net.map.0.weight")[0]
    return (c1, c2), emb_dim


def reexport(folder, why=WHY):
    with open(os.path.join(folder, "model.json")) as f:
        card = json.load(f)
    if card["provenance"].get("kind") != "trained":
        raise ValueError(f"{folder}: only trained models are re-exported (kind {card['provenance'].get('kind')})")
    onnx_path = os.path.join(folder, "model.onnx")
    channels, emb_dim = architecture(onnx_path)
    net = EDMDenoiser(channels, emb_dim, served.network_classes(card),
                      radius_guard=card["provenance"].get("radius_guard"))  # else a guard would be dropped unseen
    loaded = load_onnx_weights(net, onnx_path)
    card["provenance"]["reexport"] = {
        "why": why, "weights": f"read back from the previous model.onnx (warmstart.py, max |Δ| {loaded:.2g})",
        "pipeline_commit": served.git_commit()}
    worst = served.write_folder(net, folder, card)
    return loaded, worst


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folders", nargs="+", help="models/<id> folders of trained models")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    for folder in a.folders:
        loaded, worst = reexport(folder)
        print(f"{folder}: weights read back (max|Δ| {loaded:.2e}), re-exported, parity max|Δ| {worst:.2e}")


if __name__ == "__main__":
    main()
