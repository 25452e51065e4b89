#!/usr/bin/env bash
# Runs every test: ruff over the Python (ruff.toml), ShellCheck over the shell scripts
# (.shellcheckrc), the docs' references to files (scripts/check_doc_links.py), the Maven build
# (Java unit, integration and architecture tests), the models/ export and training pipeline tests,
# the foreign-client tests (grpcurl, Python grpcio) against the packaged server, the browser page in
# headless Chromium against the packaged server (gRPC-Web), docs/first-ten-minutes.md run as
# written (scripts/walkthrough.sh), the Docker file checks, and a small ghz load run with zero
# errors allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
.tools/venv/bin/ruff check .
.tools/venv/bin/shellcheck scripts/*.sh docker/*.sh models/train/*.sh .ci/run
python3 scripts/check_doc_links.py
mvn -B verify
# The page's test needs the jar and node_modules that mvn just made (server/src/main/web/test).
(cd server/src/main/web && npm run --silent test:browser)
.tools/venv/bin/python -m pytest -q models/tests server/src/test/python
.tools/torch-venv/bin/python -m pytest -q models/train/tests
scripts/walkthrough.sh
scripts/check-docker.sh
scripts/ghz-scenario.sh --ci
