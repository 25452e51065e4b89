#!/usr/bin/env bash
# The CUDA checks, for a machine with an NVIDIA GPU (driver for CUDA 12, cuDNN 9 libraries on the
# loader path) and Maven Central (for onnxruntime_gpu). In about 8 minutes on one GPU it:
#   1. builds the server with -Pcuda,
#   2. checks CUDA against CPU on every shipped model and the CIFAR-10-shaped benchmark models
#      (max |difference| <= 1e-3: TF32 and cuDNN's algorithm choice round differently),
#   3. runs the serving benchmark on CUDA for the default model and the 4 M-parameter CIFAR model.
# Everything it prints also goes to target/gpu-check/ (bring that folder back).
# Usage: scripts/gpu-check.sh            (needs torch only for the benchmark models: scripts/bench-models.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/gpu-check
mkdir -p "$out"
exec > >(tee "$out/gpu-check.log") 2>&1

nvidia-smi | tee "$out/nvidia-smi.txt"
[ -d .bench-models/cifar-unet-small ] || scripts/bench-models.sh small ddpmpp
mvn -B -q -Pcuda -DskipTests -Dweb.skip=true -pl server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
cp="server/target/test-classes:server/target/classes:$(cat server/target/test-classpath.txt)"

echo "== parity, shipped models"
java -cp "$cp" dev.pfgm.server.bench.CudaParity models 1e-3 | tee "$out/parity-models.md"
echo "== parity, benchmark models"
java -cp "$cp" dev.pfgm.server.bench.CudaParity .bench-models 1e-3 | tee "$out/parity-bench-models.md"

echo "== serving benchmark on CUDA"
timeout 240 java -cp "$cp" dev.pfgm.server.bench.ServingBenchmark --device=cuda --model=mnist-unet-d128 \
  --scenarios=a,b,e --repeats=50 --warmup-seconds=20 | tee "$out/bench-mnist-unet-d128.md"
timeout 240 java -cp "$cp" dev.pfgm.server.bench.ServingBenchmark --device=cuda --models=.bench-models \
  --model=cifar-unet-small --scenarios=a,b,e --repeats=20 --warmup-seconds=20 | tee "$out/bench-cifar-unet-small.md"
