#!/usr/bin/env bash
# ghz load scenario for pfgm-serve: many concurrent Generate streams, every step streamed.
#
#   scripts/ghz-scenario.sh            standard scenario (200 concurrent streams, 1000 in all, 18 steps)
#   scripts/ghz-scenario.sh --ci       small scenario for CI (50 concurrent, 200 in all, 10 steps);
#                                      any non-OK status fails it, RESOURCE_EXHAUSTED included
#   scripts/ghz-scenario.sh --burst    overload on purpose (400 streams of 8 samples = 3200 rows,
#                                      more than the engine admits); RESOURCE_EXHAUSTED is expected
#
# It installs ghz and grpc-health-probe (go install, pinned versions) into $TOOLS_DIR, builds the
# server jar if it is missing, starts the server on a free local port, waits for grpc.health.v1 to
# say SERVING, runs ghz through server reflection (no .proto files), prints a summary, stops the
# server and exits non-zero when any stream ended with a status other than OK or (outside --ci)
# RESOURCE_EXHAUSTED. With TARGET=host:port it load-tests a running server instead (loopback only).
#
# Knobs (environment): CONCURRENCY, TOTAL, STEPS, NUM_SAMPLES, PREVIEW_EVERY, STEP_CONTENT (JSON),
# MODEL, CONNECTIONS, TIMEOUT (ghz -t; 0 = none), MAX_RECV (ghz --max-recv-message-size),
# PORT (first port tried, default 50071), TARGET, REPORT (ghz JSON report path), TOOLS_DIR,
# ALLOW_RESOURCE_EXHAUSTED (1/0), WARMUP (streams run, unmeasured, before the scenario: JIT and
# ONNX Runtime warm up on new batch sizes; 0 = none), JAVA_OPTS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# GHZ_VERSION, HEALTH_PROBE_VERSION
# shellcheck source=versions.env
. scripts/versions.env

MODE=standard
for arg in "$@"; do
  case "$arg" in
    --ci) MODE=ci ;;
    --burst) MODE=burst ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (use --ci, --burst or none)" >&2; exit 2 ;;
  esac
done

case "$MODE" in
  ci)
    : "${CONCURRENCY:=50}" "${TOTAL:=200}" "${STEPS:=10}" "${NUM_SAMPLES:=1}"
    : "${ALLOW_RESOURCE_EXHAUSTED:=0}" "${WARMUP:=50}" ;;
  burst)
    : "${CONCURRENCY:=400}" "${TOTAL:=800}" "${STEPS:=10}" "${NUM_SAMPLES:=8}"
    : "${ALLOW_RESOURCE_EXHAUSTED:=1}" "${WARMUP:=100}" ;;
  *)
    : "${CONCURRENCY:=200}" "${TOTAL:=1000}" "${STEPS:=18}" "${NUM_SAMPLES:=1}"
    : "${ALLOW_RESOURCE_EXHAUSTED:=1}" "${WARMUP:=200}" ;;
esac
: "${MODEL:=mnist-exact-d128}"
: "${PREVIEW_EVERY:=1}"
# Default stream content: the state and a PNG of the denoised estimate at every step (what a
# client that shows images forming asks for).
DEFAULT_STEP_CONTENT='{"state":true,"denoised_png":true}'
: "${STEP_CONTENT:=$DEFAULT_STEP_CONTENT}"
# The server takes 1,000 streams per HTTP/2 connection, but each connection is served by one event
# loop: spread the streams so each connection carries at most 50 and they reach every event loop.
: "${CONNECTIONS:=$(( (CONCURRENCY + 49) / 50 ))}"
: "${TIMEOUT:=0}"
: "${MAX_RECV:=64MB}"
: "${PORT:=50071}"
: "${TOOLS_DIR:=$ROOT/.tools/bin}"
: "${REPORT:=$ROOT/target/ghz/ghz-$MODE.json}"
JAR="$ROOT/server/target/pfgm-serve.jar"

log() { printf '[ghz-scenario] %s\n' "$*" >&2; }

# --- (a) tools -----------------------------------------------------------------------------------
install_tool() { # name module@version
  if [[ -x "$TOOLS_DIR/$1" ]]; then return; fi
  command -v go >/dev/null || { log "go is needed to install $1"; exit 1; }
  log "installing $2 into $TOOLS_DIR"
  mkdir -p "$TOOLS_DIR"
  GOBIN="$TOOLS_DIR" go install "$2"
}
install_tool ghz "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION"
install_tool grpc-health-probe "github.com/grpc-ecosystem/grpc-health-probe@$HEALTH_PROBE_VERSION"
GHZ="$TOOLS_DIR/ghz"
PROBE="$TOOLS_DIR/grpc-health-probe"

# --- (b) server ----------------------------------------------------------------------------------
free_port() { # first free TCP port on 127.0.0.1 at or above $1
  python3 - "$1" <<'EOF'
import socket, sys
p = int(sys.argv[1])
while p < 65535:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", p)); print(p); break
        except OSError:
            p += 1
EOF
}

SERVER_PID=""
SERVER_LOG=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    log "stopping server (pid $SERVER_PID)"
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT INT TERM

if [[ -z "${TARGET:-}" ]]; then
  if [[ ! -f "$JAR" ]]; then
    log "building $JAR"
    mvn -B -q -DskipTests package -pl server -am
  fi
  GRPC_PORT="$(free_port "$PORT")"
  # The server is being given a Prometheus endpoint (PFGM_METRICS_PORT, default 9090): keep this
  # run off 9090 so it cannot collide with another server on the machine.
  METRICS_PORT="$(free_port $((GRPC_PORT + 1)))"
  mkdir -p "$(dirname "$REPORT")"
  SERVER_LOG="${REPORT%.json}-server.log"
  log "starting server on 127.0.0.1:$GRPC_PORT (metrics $METRICS_PORT), log $SERVER_LOG"
  # A JVM crash report (hs_err) goes next to the server log, not into the work tree.
  # shellcheck disable=SC2086
  PFGM_METRICS_PORT="$METRICS_PORT" java -XX:ErrorFile="${REPORT%.json}-hs_err_pid%p.log" \
    ${JAVA_OPTS:-} -jar "$JAR" \
    --host=127.0.0.1 --port="$GRPC_PORT" --models="$ROOT/models" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  TARGET="127.0.0.1:$GRPC_PORT"
fi

log "waiting for $TARGET to report SERVING"
for i in $(seq 1 120); do
  if "$PROBE" -addr="$TARGET" -service=pfgm.v1.Generator >/dev/null 2>&1; then break; fi
  if [[ -n "$SERVER_PID" ]] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
    log "server exited during startup:"; cat "$SERVER_LOG" >&2; exit 1
  fi
  if [[ $i -eq 120 ]]; then
    log "server not SERVING after 60 s"; [[ -n "$SERVER_LOG" ]] && cat "$SERVER_LOG" >&2; exit 1
  fi
  sleep 0.5
done

# --- (c) the scenario ----------------------------------------------------------------------------
DATA="{\"model\":\"$MODEL\",\"num_samples\":$NUM_SAMPLES,\"steps\":$STEPS,\"preview_every\":$PREVIEW_EVERY,\"step_content\":$STEP_CONTENT}"
mkdir -p "$(dirname "$REPORT")"
GHZ_ARGS=(--insecure --call pfgm.v1.Generator/Generate -d "$DATA"
  -c "$CONCURRENCY" -n "$TOTAL" --connections "$CONNECTIONS"
  -t "$TIMEOUT" --max-recv-message-size "$MAX_RECV"
  -O json -o "$REPORT" "$TARGET")
if [[ "$WARMUP" -gt 0 ]]; then
  WARM_C=$(( WARMUP < CONCURRENCY ? WARMUP : CONCURRENCY ))
  log "warm-up: $WARMUP streams, $WARM_C concurrent (not measured)"
  "$GHZ" --insecure --call pfgm.v1.Generator/Generate -d "$DATA" -c "$WARM_C" -n "$WARMUP" \
    --connections "$(( (WARM_C + 49) / 50 ))" -t "$TIMEOUT" --max-recv-message-size "$MAX_RECV" \
    -O json -o "${REPORT%.json}-warmup.json" "$TARGET"
fi
log "mode $MODE: ghz ${GHZ_ARGS[*]}"
# ghz exits 0 even when calls fail; the verdict comes from its report below.
"$GHZ" "${GHZ_ARGS[@]}"

# --- (d) stop and judge --------------------------------------------------------------------------
SERVER_DIED=0
if [[ -n "$SERVER_PID" ]] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
  SERVER_DIED=1
  log "the server died during the run; the end of its log ($SERVER_LOG):"
  tail -n 30 "$SERVER_LOG" >&2
fi
stop_server

python3 - "$REPORT" "$ALLOW_RESOURCE_EXHAUSTED" "$TOTAL" "$SERVER_DIED" <<'EOF'
import json, sys
report, allow_re, total = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
server_died = sys.argv[4] == "1"
d = json.load(open(report))
ms = lambda ns: ns / 1e6
print("\nSummary (ghz %s report %s):" % (d.get("date", ""), report))
print("  Count:        %d" % d["count"])
print("  Total:        %.2f s" % (d["total"] / 1e9))
print("  Requests/sec: %.2f" % d["rps"])
print("  Fastest:      %.1f ms" % ms(d["fastest"]))
print("  Average:      %.1f ms" % ms(d["average"]))
print("  Slowest:      %.1f ms" % ms(d["slowest"]))
print("  Latency:      " + ", ".join("p%d %.1f ms" % (x["percentage"], ms(x["latency"]))
                                     for x in d.get("latencyDistribution") or []))
codes = d.get("statusCodeDistribution") or {}
errors = d.get("errorDistribution") or {}
print("  Status codes: " + ", ".join("%s %d" % kv for kv in sorted(codes.items())))
for msg, n in sorted(errors.items(), key=lambda kv: -kv[1]):
    print("  error x%d: %s" % (n, msg))
allowed = {"OK"} | ({"ResourceExhausted"} if allow_re else set())
bad = {c: n for c, n in codes.items() if c not in allowed}
problems = []
if server_died:
    problems.append("the server died during the run")
if bad:
    problems.append("statuses other than %s: %s" % ("/".join(sorted(allowed)), bad))
if d.get("endReason") != "normal":
    problems.append("ghz ended with %r" % d.get("endReason"))
if sum(codes.values()) != total:
    problems.append("%d of %d calls reported" % (sum(codes.values()), total))
if codes.get("OK", 0) == 0:
    problems.append("no call succeeded")
if problems:
    print("FAIL: " + "; ".join(problems))
    sys.exit(1)
print("PASS: %d OK%s" % (codes.get("OK", 0),
      ", %d RESOURCE_EXHAUSTED (admission limit, by design)" % codes["ResourceExhausted"]
      if codes.get("ResourceExhausted") else ""))
EOF
