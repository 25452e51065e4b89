"""Clients pfgm-serve did not write: grpcurl (through server reflection) and Python grpcio."""
import json
import pathlib
import subprocess

import grpc
import numpy as np

ROOT_DATA = pathlib.Path(__file__).resolve().parents[4] / "models" / "data" / "mnist64.npy"


def _events(text):
    decoder, i, out = json.JSONDecoder(), 0, []
    text = text.strip()
    while i < len(text):
        obj, end = decoder.raw_decode(text, i)
        out.append(obj)
        i = end
        while i < len(text) and text[i].isspace():
            i += 1
    return out


def test_grpcurl_streams_a_generation_through_reflection(server, grpcurl):
    req = json.dumps({"model": "mnist-exact-edm", "num_samples": 2, "seed": 5, "steps": 10, "preview_every": 1})
    run = subprocess.run([grpcurl, "-plaintext", "-d", req, server, "pfgm.v1.Generator/Generate"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    events = _events(run.stdout)
    kinds = [next(iter(e)) for e in events]
    assert kinds == ["started"] + ["step"] * 10 + ["completed"]
    assert [e["step"].get("index", 0) for e in events[1:-1]] == list(range(10))
    assert events[-1]["completed"]["nfe"] == 19


def test_grpcurl_sees_health_and_unknown_model_status(server, grpcurl):
    health = subprocess.run([grpcurl, "-plaintext", "-d", '{"service":"pfgm.v1.Generator"}', server,
                             "grpc.health.v1.Health/Check"], capture_output=True, text=True, timeout=60)
    assert health.returncode == 0, health.stderr
    assert json.loads(health.stdout)["status"] == "SERVING"
    bad = subprocess.run([grpcurl, "-plaintext", "-d", '{"model":"nope"}', server, "pfgm.v1.Generator/Generate"],
                         capture_output=True, text=True, timeout=60)
    assert "NotFound" in bad.stderr


def test_python_grpcio_client_receives_float32_samples_on_data_points(server, stubs):
    pb, pb_grpc = stubs
    with grpc.insecure_channel(server, options=[("grpc.max_receive_message_length", 64 << 20)]) as channel:
        stub = pb_grpc.GeneratorStub(channel)
        models = stub.ListModels(pb.ListModelsRequest())
        assert {m.id for m in models.models} >= {"mnist-exact-d128", "mnist-exact-edm"}
        events = list(stub.Generate(pb.GenerateRequest(model="mnist-exact-d128", num_samples=3, seed=77,
                                                       preview_every=6), timeout=120))
    assert events[0].WhichOneof("event") == "started"
    assert [e.WhichOneof("event") for e in events[1:-1]] == ["step"] * 3
    done = events[-1].completed
    samples = np.frombuffer(done.samples.data, dtype="<f4").reshape(tuple(done.samples.shape))
    data = np.load(ROOT_DATA).astype(np.float64) / 127.5 - 1
    for s in samples:
        nearest = np.abs(data.reshape(64, -1) - s.reshape(1, -1)).max(axis=1).min()
        assert nearest <= 1e-3


def test_python_grpcio_client_gets_invalid_argument_with_the_field(server, stubs):
    pb, pb_grpc = stubs
    with grpc.insecure_channel(server) as channel:
        stub = pb_grpc.GeneratorStub(channel)
        try:
            list(stub.Generate(pb.GenerateRequest(model="mnist-exact-d128", steps=5000), timeout=60))
            raise AssertionError("expected INVALID_ARGUMENT")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "steps must be in 1..1000, was 5000" in e.details()

