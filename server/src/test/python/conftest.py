"""Starts the packaged server (server/target/pfgm-serve.jar) once for the foreign-client tests."""
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[4]
TOOLS = ROOT / ".tools" / "bin"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def grpcurl():
    path = TOOLS / "grpcurl"
    assert path.exists(), "grpcurl missing: run scripts/tools.sh"
    return str(path)


@pytest.fixture(scope="session")
def server(grpcurl):
    jar = ROOT / "server" / "target" / "pfgm-serve.jar"
    assert jar.exists(), "server jar missing: run mvn -B package first"
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="pfgm-serve-", suffix=".log", delete=False)
    proc = subprocess.Popen(["java", "-jar", str(jar), f"--port={port}", "--metrics-port=0"], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)
    target = f"localhost:{port}"
    deadline = time.time() + 60
    while True:
        ok = subprocess.run([grpcurl, "-plaintext", target, "list"], capture_output=True).returncode == 0
        if ok:
            break
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            sys.stderr.write(pathlib.Path(log.name).read_text())
            pytest.fail("server did not start")
        time.sleep(0.5)
    yield target
    proc.terminate()
    proc.wait(timeout=30)
    os.unlink(log.name)


@pytest.fixture(scope="session")
def stubs(tmp_path_factory):
    """Python stubs generated from proto/ at test time with grpcio-tools."""
    from grpc_tools import protoc

    out = tmp_path_factory.mktemp("stubs")
    proto_root = ROOT / "proto" / "src" / "main" / "proto"
    rc = protoc.main(["protoc", f"-I{proto_root}", f"--python_out={out}", f"--grpc_python_out={out}",
                      str(proto_root / "pfgm" / "v1" / "generator.proto")])
    assert rc == 0, "protoc failed"
    sys.path.insert(0, str(out))
    from pfgm.v1 import generator_pb2, generator_pb2_grpc
    return generator_pb2, generator_pb2_grpc
