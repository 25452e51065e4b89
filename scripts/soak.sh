#!/usr/bin/env bash
# Soak: thousands of mixed Generate streams (normal, cancelled, past deadline, disconnected,
# stalled readers) against an in-process server on loopback, then heap after GC, threads, open
# streams, active rows, queued bytes and a fixed-seed result compared with the one before.
# Usage: scripts/soak.sh [streams]   (default 3000)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java -Xmx2g -Dpfgm.models.dir=models -cp "server/target/test-classes:server/target/classes:$(cat server/target/test-classpath.txt)" \
  dev.pfgm.server.it.Soak "$@"
