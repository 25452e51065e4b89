#!/usr/bin/env bash
# Cluster benchmark on one machine: the same ghz load against one process (--role=all), and
# against a gateway with 1 and with 2 workers; prints streams/s and steps/s of each. With workers,
# it first runs one stream at a time and prints the gateway's per-frame hop latency (worker engine
# -> gateway, median and p99 from its metrics) on an idle cluster, then again after the load.
# Usage: scripts/cluster-bench.sh            (needs server/target/pfgm-serve.jar and .tools/bin/ghz)
# Knobs (environment): MODEL (mnist-exact-d128), STEPS (100), TOTAL (256), CONCURRENCY (32),
# PREVIEW_EVERY (1).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=server/target/pfgm-serve.jar
GHZ=.tools/bin/ghz
: "${MODEL:=mnist-exact-d128}" "${STEPS:=100}" "${TOTAL:=256}" "${CONCURRENCY:=32}"
: "${PREVIEW_EVERY:=1}"
[[ -f $JAR ]] || { echo "no $JAR: mvn -B -DskipTests package" >&2; exit 2; }
[[ -x $GHZ ]] || { echo "no $GHZ: scripts/tools.sh ghz" >&2; exit 2; }
LOGS=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
MEMBERS=127.0.0.1:15801,127.0.0.1:15802,127.0.0.1:15803

node() { # name, then flags
  local name=$1; shift
  java -Xmx512m -jar "$JAR" --models=models --host=127.0.0.1 "$@" >"$LOGS/$name.log" 2>&1 &
  PIDS+=($!)
}
wait_log() { # file, text
  for _ in $(seq 600); do grep -qs -- "$2" "$1" && return 0; sleep 0.2; done
  echo "timed out waiting for '$2' in $1" >&2; tail -20 "$1" >&2; exit 1
}
hop() { # label: the gateway's frame-hop quantiles
  curl -s http://127.0.0.1:15092/metrics | python3 -c '
import re, sys
q = dict(re.findall(r"pfgm_cluster_frame_hop_seconds\{quantile=\"([0-9.]+)\"\} (\S+)", sys.stdin.read()))
print("  frame hop worker -> gateway, %s: median %.2f ms, p99 %.2f ms" % (
    sys.argv[1], float(q.get("0.5", "nan")) * 1e3, float(q.get("0.99", "nan")) * 1e3))' "$1"
}
load() { # label, port
  local data="{\"model\":\"$MODEL\",\"num_samples\":1,\"steps\":$STEPS,\"preview_every\":$PREVIEW_EVERY}"
  "$GHZ" --insecure --call=pfgm.v1.Generator/Generate -d "$data" -c "$CONCURRENCY" -n 64 \
    -t 0 -O json -o "$LOGS/warmup.json" "127.0.0.1:$2"
  "$GHZ" --insecure --call=pfgm.v1.Generator/Generate -d "$data" -c "$CONCURRENCY" -n "$TOTAL" \
    -t 0 -O json -o "$LOGS/$1.json" "127.0.0.1:$2"
  python3 - "$LOGS/$1.json" "$1" "$STEPS" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
ok = r["statusCodeDistribution"].get("OK", 0)
print("%-22s %4d/%d OK  %7.1f streams/s  %8.0f steps/s  median %6.0f ms" % (
    sys.argv[2], ok, r["count"], r["rps"], r["rps"] * int(sys.argv[3]),
    r["latencyDistribution"][2]["latency"] / 1e6))
EOF
}
stop_all() { cleanup; PIDS=(); }

node single --role=all --port=15051 --metrics-port=15091
wait_log "$LOGS/single.log" "pfgm-serve listening"
load "one process" 15051
stop_all

for workers in 1 2; do
  node gateway --role=gateway --port=15052 --metrics-port=15092 --cluster-host=127.0.0.1 \
    --cluster-port=15801 --cluster-members=$MEMBERS
  for w in $(seq "$workers"); do
    node "worker$w" --role=worker --port=0 --metrics-port=0 --cluster-host=127.0.0.1 \
      --cluster-port=$((15801 + w)) --cluster-members=$MEMBERS
  done
  wait_log "$LOGS/gateway.log" "; $workers worker(s)"
  # One stream at a time (after a warm-up): the hop itself, without queueing behind other streams.
  one="{\"model\":\"$MODEL\",\"num_samples\":1,\"steps\":$STEPS,\"preview_every\":1}"
  "$GHZ" --insecure --call=pfgm.v1.Generator/Generate -d "$one" -c 8 -n 64 -t 0 \
    -O json -o "$LOGS/hop-warmup.json" 127.0.0.1:15052
  sleep 130 # the summary's window (2 min) forgets the warm-up
  "$GHZ" --insecure --call=pfgm.v1.Generator/Generate -d "$one" -c 1 -n 30 -t 0 \
    -O json -o "$LOGS/hop.json" 127.0.0.1:15052
  hop "one stream at a time"
  load "gateway + $workers worker(s)" 15052
  hop "under the load above"
  stop_all
done
