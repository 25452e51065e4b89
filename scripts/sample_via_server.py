#!/usr/bin/env python3
"""Sample a model through a running pfgm-serve (gRPC) and save the samples as .npy.

    python scripts/sample_via_server.py --target localhost:50081 --model mnist-unet-edm \
        --count 2000 --steps 18 --out /tmp/edm-18.npy [--class-label 3] [--concurrency 2]

Stubs are generated at run time from proto/src/main/proto/pfgm/v1/generator.proto with
grpc_tools.protoc (needs grpcio, grpcio-tools, numpy). The count is split into requests of at most
--batch samples (64 = the server's default max_samples); request k uses base seed
--seed + k·batch, so sample i of the whole run has seed --seed + i and every seed is distinct.
Writes <out> float32 [count, 1, 28, 28] in the model's [-1, 1] data scale (not clipped), in seed
order, and prints one JSON line with the count, wall time and the server's compute times; the same
line goes to <out minus .npy>.json, so that a table can show the NFE the server reports (Completed.nfe:
for --solver rk45 the busiest sample's of each request, so "nfe" there is the mean over requests).
"""
import argparse
import concurrent.futures
import json
import pathlib
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROTO_ROOT = ROOT / "proto" / "src" / "main" / "proto"
sys.path.insert(0, str(ROOT / "models" / "train"))
from args import SEED_MAX, ranged  # noqa: E402  (the pipeline's range-checked options)


def load_stubs():
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="pfgm-stubs-")
    rc = protoc.main(["protoc", f"-I{PROTO_ROOT}", f"--python_out={out}", f"--grpc_python_out={out}",
                      str(PROTO_ROOT / "pfgm" / "v1" / "generator.proto")])
    if rc != 0:
        raise RuntimeError("protoc failed on generator.proto")
    # Regular packages, so that models/train/pfgm.py (on the path for args.py) cannot shadow them:
    # a plain module wins over a namespace package wherever it sits on sys.path.
    for pkg in ("pfgm", "pfgm/v1"):
        pathlib.Path(out, pkg, "__init__.py").touch()
    sys.path.insert(0, out)
    from pfgm.v1 import generator_pb2, generator_pb2_grpc
    return generator_pb2, generator_pb2_grpc


def sample(target, model, count, steps=0, solver="heun", class_label=None, seed=1, batch=64,
           concurrency=2, timeout_s=3600, noise_injection=0.0, rtol=None, atol=None):
    """Returns (samples float32 [count, C, H, W], stats dict)."""
    import grpc

    pb, pb_grpc = load_stubs()
    solvers = {"heun": pb.SOLVER_HEUN, "euler": pb.SOLVER_EULER, "rk45": pb.SOLVER_RK45,
               "default": pb.SOLVER_UNSPECIFIED}
    chunks = [(k, seed + k * batch, min(batch, count - k * batch)) for k in range((count + batch - 1) // batch)]
    channel = grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", 64 << 20)])
    stub = pb_grpc.GeneratorStub(channel)

    def one(chunk):
        k, base_seed, n = chunk
        kwargs = dict(model=model, num_samples=n, seed=base_seed, steps=steps, solver=solvers[solver])
        if class_label is not None:
            kwargs["class_label"] = class_label
        if noise_injection:
            kwargs["noise_injection"] = noise_injection
        if rtol is not None:
            kwargs["rtol"] = rtol
        if atol is not None:
            kwargs["atol"] = atol
        for attempt in range(20):
            try:
                started, done = None, None
                for ev in stub.Generate(pb.GenerateRequest(**kwargs), timeout=timeout_s):
                    kind = ev.WhichOneof("event")
                    if kind == "started":
                        started = ev.started
                    elif kind == "completed":
                        done = ev.completed
                break
            except grpc.RpcError as e:  # the server is full: back off and retry
                if e.code() != grpc.StatusCode.RESOURCE_EXHAUSTED or attempt == 19:
                    raise
                time.sleep(0.5 * (attempt + 1))
        assert list(started.seeds) == [base_seed + i for i in range(n)], "server used other seeds"
        x = np.frombuffer(done.samples.data, dtype="<f4").reshape(tuple(done.samples.shape))
        return k, x.astype(np.float32), done.compute_ms, done.nfe

    t0 = time.time()
    parts, compute_ms, nfe = {}, [], []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for k, x, ms, n in pool.map(one, chunks):
            parts[k] = x
            compute_ms.append(ms)
            nfe.append(n)
    channel.close()
    samples = np.concatenate([parts[k] for k in range(len(chunks))])
    stats = {"model": model, "count": int(len(samples)), "steps": steps, "solver": solver,
             "class_label": class_label, "seeds": [seed, seed + count - 1],
             # Heun/Euler: the same for every request; RK45: each request's busiest sample's.
             "nfe": round(float(np.mean(nfe)), 2), "nfe_min": int(min(nfe)), "nfe_max": int(max(nfe)),
             "requests": len(chunks), "wall_s": round(time.time() - t0, 1),
             "server_compute_ms_mean": round(float(np.mean(compute_ms)), 1)}
    return samples, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", default="localhost:50081", help="host:port of a running pfgm-serve")
    ap.add_argument("--model", required=True)
    ap.add_argument("--count", type=ranged(int, 1, 10 ** 7, "--count"), default=2000)
    ap.add_argument("--steps", type=ranged(int, 0, 100_000, "--steps"), default=0,
                    help="schedule points; 0 = the model's default")
    ap.add_argument("--solver", choices=["heun", "euler", "rk45", "default"], default="heun")
    ap.add_argument("--rtol", type=ranged(float, 1e-6, 1.0, "--rtol"), default=None,
                    help="--solver rk45 only: relative tolerance (server default 1e-3)")
    ap.add_argument("--atol", type=ranged(float, 1e-8, 1.0, "--atol"), default=None,
                    help="--solver rk45 only: absolute tolerance (server default 1e-3)")
    ap.add_argument("--class-label", type=ranged(int, 0, 100_000, "--class-label"), default=None,
                    help="for class-conditional models")
    ap.add_argument("--per-class", type=ranged(int, 0, 10 ** 6, "--per-class"), default=0,
                    help="conditional models: N samples for each class 0..K-1 instead of --count; "
                         "also writes <out>-labels.npy (the requested class of each sample)")
    ap.add_argument("--wait-s", type=ranged(float, 0.0, 3600.0, "--wait-s"), default=60,
                    help="wait this long for the server to be ready")
    ap.add_argument("--seed", type=ranged(int, 1, SEED_MAX, "--seed"), default=1,
                    help="base seed (> 0: 0 asks the server to pick one); sample i gets seed + i")
    ap.add_argument("--batch", type=ranged(int, 1, 4096, "--batch"), default=64,
                    help="samples per request (≤ server max_samples)")
    ap.add_argument("--concurrency", type=ranged(int, 1, 256, "--concurrency"), default=2,
                    help="requests in flight at once")
    ap.add_argument("--noise-injection", type=ranged(float, 0.0, 1.0, "--noise-injection"), default=0.0,
                    help="alpha of the noise-injection experiment (0: off)")
    ap.add_argument("--out", required=True, help=".npy path")
    a = ap.parse_args()
    if a.solver != "rk45" and (a.rtol is not None or a.atol is not None):
        ap.error("--rtol/--atol apply to --solver rk45 only")  # the server would refuse them too
    import grpc
    with grpc.insecure_channel(a.target) as ch:
        grpc.channel_ready_future(ch).result(timeout=a.wait_s)
    if a.per_class:
        pb, pb_grpc = load_stubs()
        with grpc.insecure_channel(a.target) as ch:
            info = {m.id: m for m in pb_grpc.GeneratorStub(ch).ListModels(pb.ListModelsRequest()).models}
        classes = len(info[a.model].class_labels)
        if not classes:
            ap.error(f"{a.model} is not class-conditional")
        parts, labels, t0, stats, requests = [], [], time.time(), None, 0
        for c in range(classes):  # class c: seeds seed + c*N .. seed + (c+1)*N - 1
            x, stats = sample(a.target, a.model, a.per_class, a.steps, a.solver, c, a.seed + c * a.per_class,
                              a.batch, a.concurrency, rtol=a.rtol, atol=a.atol)
            parts.append(x)
            labels += [c] * len(x)
            requests += stats["requests"]
        samples = np.concatenate(parts)
        stats.update(count=int(len(samples)), class_label="0..%d x %d" % (classes - 1, a.per_class),
                     seeds=[a.seed, a.seed + len(samples) - 1], requests=requests, wall_s=round(time.time() - t0, 1))
        np.save(a.out[:-4] + "-labels.npy" if a.out.endswith(".npy") else a.out + "-labels.npy",
                np.array(labels, dtype=np.int64))
    else:
        samples, stats = sample(a.target, a.model, a.count, a.steps, a.solver, a.class_label, a.seed,
                                a.batch, a.concurrency, noise_injection=a.noise_injection, rtol=a.rtol,
                                atol=a.atol)
    np.save(a.out, samples)
    stats["out"] = a.out
    if a.solver == "rk45":
        stats.update(rtol=a.rtol, atol=a.atol)
    with open((a.out[:-4] if a.out.endswith(".npy") else a.out) + ".json", "w") as fh:
        fh.write(json.dumps(stats) + "\n")
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main()
