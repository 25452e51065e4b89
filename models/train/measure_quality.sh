#!/usr/bin/env bash
# Measures the trained models' sample quality THROUGH THE SERVER and writes the quality table.
#
#   models/train/measure_quality.sh                 # from the repository root
#
# Builds server/target/pfgm-serve.jar if it is missing (mvn package, never install), starts it on
# $PORT with --models=models, draws $COUNT samples (Heun) per model and per steps in $STEPS with
# scripts/sample_via_server.py (requests of 64, distinct seeds 1..COUNT; the conditional model gets
# COUNT/10 per requested digit), stops the server, and scores everything with quality_table.py:
# models/train/results/quality-server.{json,md} and a grid PNG per model (18-step samples).
# Needs models/train/out/{mnist.npz,classifier.pt} (see README: data.py, classifier.py).
# Samples already under $OUT_DIR are reused (delete the folder to redraw).
#
# Environment: PY (torch + onnxruntime interpreter, default .tools/torch-venv/bin/python),
# GPY (grpcio + grpcio-tools + numpy, default .tools/venv/bin/python) - both made by
# scripts/tools.sh -, PORT (50081), COUNT (2000), STEPS ("18 5 10 35", measured in that order),
# MODELS, OUT_DIR, CONCURRENCY (2), MODELS_DIR (the folder the server loads, default models),
# RESULTS (the table's path prefix, default models/train/results/quality-server), GRIDS (where the
# grid PNGs go, default models/train/results; empty: none), ALPHA (noise-injection alpha, default 0:
# off; its samples are named <model>@a<ALPHA>-s<steps>.npy), RTOLS (e.g. "1e-1 1e-2 1e-3", default
# none: after the Heun rows, $COUNT RK45 samples per model and per rtol, same seeds, named
# <model>@rk45-<rtol>.npy, with atol = $ATOL, default = rtol as in docs/solvers.md; each sample
# file's <name>.json records the NFE the server reported). Unconditional models only for RK45.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.tools/torch-venv/bin/python}
GPY=${GPY:-.tools/venv/bin/python}
for py in "$PY" "$GPY"; do
  [ -x "$py" ] || { echo "measure_quality.sh: no interpreter at $py (run scripts/tools.sh, or set PY/GPY)" >&2; exit 2; }
done
PORT=${PORT:-50081}
COUNT=${COUNT:-2000}
STEPS=${STEPS:-"18 5 10 35"}
MODELS=${MODELS:-"mnist-unet-edm mnist-unet-d128 mnist-unet-d2048 mnist-unet-cond-edm"}
OUT_DIR=${OUT_DIR:-models/train/out/server-samples}
CONCURRENCY=${CONCURRENCY:-2}
MODELS_DIR=${MODELS_DIR:-models}
RESULTS=${RESULTS:-models/train/results/quality-server}
GRIDS=${GRIDS-models/train/results}
mkdir -p "$OUT_DIR" "$(dirname "$RESULTS")"

[ -f server/target/pfgm-serve.jar ] || mvn -B -q -DskipTests package -pl server -am
java -jar server/target/pfgm-serve.jar --port="$PORT" --metrics-port=0 --models="$MODELS_DIR" > "$OUT_DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT

for steps in $STEPS; do
  for model in $MODELS; do
    name=$model
    [ "${ALPHA:-0}" = 0 ] || name="$model@a$ALPHA"
    out="$OUT_DIR/$name-s$steps.npy"
    [ -f "$out" ] && continue
    if [ "$model" = mnist-unet-cond-edm ]; then
      per=( --per-class $((COUNT / 10)) )
    else
      per=( --count "$COUNT" )
    fi
    "$GPY" scripts/sample_via_server.py --target "localhost:$PORT" --model "$model" --steps "$steps" \
      --solver heun --seed 1 --concurrency "$CONCURRENCY" --noise-injection "${ALPHA:-0}" "${per[@]}" \
      --out "$out.tmp.npy"
    [ -f "$out.tmp-labels.npy" ] && mv "$out.tmp-labels.npy" "${out%.npy}-labels.npy"
    mv "$out.tmp.json" "${out%.npy}.json"
    mv "$out.tmp.npy" "$out"
  done
done

for rtol in ${RTOLS:-}; do
  for model in $MODELS; do
    out="$OUT_DIR/$model@rk45-$rtol.npy"
    [ -f "$out" ] && continue
    "$GPY" scripts/sample_via_server.py --target "localhost:$PORT" --model "$model" --solver rk45 \
      --rtol "$rtol" --atol "${ATOL:-$rtol}" --seed 1 --concurrency "$CONCURRENCY" --count "$COUNT" \
      --out "$out.tmp.npy"
    mv "$out.tmp.json" "${out%.npy}.json"
    mv "$out.tmp.npy" "$out"
  done
done

kill $SERVER; wait $SERVER 2>/dev/null || true; trap - EXIT
"$PY" models/train/quality_table.py --dir "$OUT_DIR" --json "$RESULTS.json" --md "$RESULTS.md" --grids "$GRIDS" \
  --models-dir "$MODELS_DIR"
