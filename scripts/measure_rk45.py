#!/usr/bin/env python3
"""NFE against accuracy of RK45 and Heun, measured through a running pfgm-serve (docs/solvers.md).

    .tools/venv/bin/python scripts/measure_rk45.py --target localhost:50771 \
        --models mnist-unet-edm,mnist-unet-d128 [--samples 8] [--seed 7]

For each model, one request per solver setting with the same seed (so the same prior samples):
a reference, Heun with 500 schedule steps (999 NFE); Heun with 18 steps (35 NFE, the default) and
9 steps (17 NFE); RK45 with rtol = atol = tol for each --tols. Prints a Markdown table: NFE per
sample (the busiest sample's, for RK45), rejected trial steps (summed over the samples), the RMS
and the max |difference| from the reference over every pixel of every sample (data scale [-1, 1];
one 8-bit grey level is 2/255 = 0.0078), and the server's compute time.
"""
import argparse
import sys

import numpy as np

from sample_via_server import load_stubs


def run(stub, pb, model, samples, seed, **solver):
    req = pb.GenerateRequest(model=model, num_samples=samples, seed=seed, **solver)
    completed = None
    for event in stub.Generate(req, timeout=3600):
        if event.HasField("completed"):
            completed = event.completed
    x = np.frombuffer(completed.samples.data, dtype="<f4").reshape(samples, -1)
    return x, completed


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", default="localhost:50771")
    p.add_argument("--models", default="mnist-unet-edm,mnist-unet-d128")
    p.add_argument("--samples", type=int, default=8)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--tols", default="1e-1,3e-2,1e-2,3e-3,1e-3,1e-4")
    a = p.parse_args()
    import grpc

    # The stubs' namespace package pfgm/ loses to the training pipeline's pfgm.py (on sys.path through
    # sample_via_server): take that folder off the path first.
    sys.path[:] = [d for d in sys.path if not d.endswith("models/train")]
    pb, pb_grpc = load_stubs()
    stub = pb_grpc.GeneratorStub(
        grpc.insecure_channel(a.target, options=[("grpc.max_receive_message_length", 64 << 20)]))
    print("| model | solver | NFE | rejected | RMS diff | max diff | compute ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for model in a.models.split(","):
        ref, _ = run(stub, pb, model, a.samples, a.seed, solver=pb.SOLVER_HEUN, steps=500)
        settings = [(f"Heun {n} steps", dict(solver=pb.SOLVER_HEUN, steps=n)) for n in (9, 18)]
        settings += [(f"RK45 tol {t}", dict(solver=pb.SOLVER_RK45, rtol=float(t), atol=float(t)))
                     for t in a.tols.split(",")]
        for name, solver in settings:
            x, c = run(stub, pb, model, a.samples, a.seed, **solver)
            d = x - ref
            print(f"| {model} | {name} | {c.nfe} | {c.rejected_steps} | {np.sqrt(np.mean(d * d)):.4f} "
                  f"| {np.abs(d).max():.4f} | {c.compute_ms:.0f} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
