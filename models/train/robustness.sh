#!/usr/bin/env bash
# The robustness experiments of PFGM++ (fewer steps, quantized weights) for each D, THROUGH THE SERVER.
#
#   models/train/robustness.sh                 # from the repository root
#
# For every trained unconditional model in $MODELS (one per D) it writes quantized variants into
# $RDIR (quantize.py: per-tensor affine weights at each k in $BITS, and onnxruntime static int8),
# links the float models next to them, and samples everything through the packaged server with
# measure_quality.sh ($COUNT samples per row, Heun, seeds 1..COUNT): the float models at each steps
# count in $STEPS, the variants at 18 steps, the float models at 18 steps with noise injected into
# the state before each step (x ← x + α·σ_i·ε, the request's noise_injection) for each α in
# $ALPHAS. robustness_table.py then writes
# models/train/results/robustness.{json,md,png} (FD and confident share vs NFE, α and bits, per D).
# Needs models/train/out/{mnist.npz,classifier.pt}; the int8 variants need sympy in $QPY's reach
# (onnxruntime.quantization imports it: pip install sympy, or PYTHONPATH to a folder holding it).
# Samples and variants already there are reused (delete $RDIR / $OUT_DIR to redo).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.tools/torch-venv/bin/python}
QPY=${QPY:-.tools/venv/bin/python}
MODELS=${MODELS:-"mnist-unet-d1 mnist-unet-d16 mnist-unet-d128 mnist-unet-d2048 mnist-unet-edm"}
BITS=${BITS:-"8 6 5"}
STEPS=${STEPS:-"5 10 18"}
COUNT=${COUNT:-500}
ALPHAS=${ALPHAS:-"0.1 0.2"}
RDIR=${RDIR:-models/train/out/robustness-models}
OUT_DIR=${OUT_DIR:-models/train/out/robustness-samples}
mkdir -p "$RDIR" "$OUT_DIR"

variants=()
for model in $MODELS; do
  [ -e "$RDIR/$model" ] || ln -s "$(pwd)/models/$model" "$RDIR/$model"
  for k in $BITS; do
    [ -d "$RDIR/$model-w$k" ] || "$QPY" models/train/quantize.py --source "models/$model" --bits "$k" \
      --id "$model-w$k" --out-dir "$RDIR"
    variants+=("$model-w$k")
  done
  [ -d "$RDIR/$model-int8" ] || "$QPY" models/train/quantize.py --source "models/$model" --int8 \
    --id "$model-int8" --out-dir "$RDIR" --data models/train/out/mnist.npz
  variants+=("$model-int8")
done

export MODELS_DIR="$RDIR" OUT_DIR COUNT GRIDS="" RESULTS="$OUT_DIR/quality"
MODELS="$MODELS" STEPS="$STEPS" models/train/measure_quality.sh
MODELS="${variants[*]}" STEPS=18 models/train/measure_quality.sh
for alpha in $ALPHAS; do
  MODELS="$MODELS" STEPS=18 ALPHA="$alpha" models/train/measure_quality.sh
done
read -r -a model_list <<< "$MODELS"
"$PY" models/train/robustness_table.py --quality "$OUT_DIR/quality.json" --models "${model_list[@]}" \
  --out models/train/results/robustness
