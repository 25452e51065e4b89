#!/usr/bin/env bash
# Runs every test: the Maven build (Java unit, integration and architecture tests), the models/
# export and training pipeline tests, the foreign-client tests (grpcurl, Python grpcio) against the packaged server,
# the Docker file checks, and a small ghz load run with zero errors allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
mvn -B verify
.tools/venv/bin/python -m pytest -q models/tests server/src/test/python
.tools/torch-venv/bin/python -m pytest -q models/train/tests
scripts/check-docker.sh
scripts/ghz-scenario.sh --ci
