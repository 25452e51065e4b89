#!/usr/bin/env bash
# Generates the CIFAR-10-shaped benchmark models (seeded random weights, samples are noise) as served
# folders under the git-ignored .bench-models/ (models/train/make_bench_model.py; never committed).
#
#   scripts/bench-models.sh                 cifar-unet-small (~4 M parameters; seconds)
#   scripts/bench-models.sh small ddpmpp    also cifar-unet-ddpmpp (57 M, EDM's DDPM++ size; 230 MB,
#                                           about half a minute on 2 cores; for GPU runs)
#
# Then, for example: scripts/bench.sh --models=.bench-models --model=cifar-unet-small --repeats=50
# Knobs (environment): OUT (default .bench-models), SEED (default 1), PY (default .tools/torch-venv/bin/python,
# made by scripts/tools.sh). A folder already there is regenerated: the same SEED gives the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-.bench-models}"
SEED="${SEED:-1}"
PY="${PY:-.tools/torch-venv/bin/python}"
if [ ! -x "$PY" ]; then
  echo "bench-models: $PY not found; run scripts/tools.sh (it makes .tools/torch-venv) or set PY" >&2
  exit 2
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(small)
for size in "${sizes[@]}"; do
  "$PY" models/train/make_bench_model.py --size "$size" --out "$OUT" --seed "$SEED"
done
