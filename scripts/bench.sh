#!/usr/bin/env bash
# Serving benchmarks (ratios against the bare ONNX Runtime loop in the same run).
# Usage: scripts/bench.sh [--model=ID] [--models=DIR] [--repeats=R] [--warmup-seconds=S]
#        [--scenarios=a,b,c,d,e] [--loads=1,8,32,256] [--device=cpu|cuda|auto]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java -cp "server/target/test-classes:server/target/classes:$(cat server/target/test-classpath.txt)" \
  dev.pfgm.server.bench.ServingBenchmark "$@"
