#!/usr/bin/env bash
# Runs docs/first-ten-minutes.md as written: every ```sh block, in order, in one bash shell with
# `set -e` (each command must exit 0), and after each block the checks written above the next
# text as HTML comments, invisible on the rendered page:
#
#   <!-- test: output has TEXT -->     the block's stdout + stderr contain TEXT (literally)
#   <!-- test: file PATH -->           PATH exists and is not empty (a .png / .gif: its signature)
#   <!-- test: in a terminal -->       run the block in a pseudo-terminal (`script`), as a user would
#   <!-- test: in place -->            run the block in the repository itself (the build: Maven
#                                      recompiles everything when it sees the sources under another path)
#
# The other blocks run in a fresh folder that links every entry of the repository root, so what
# they write (samples.png, pfgm-serve.log, ...) stays out of the work tree while the build and the
# jars are the real ones. PORT and METRICS_PORT are set to free ports (the page's `${PORT:-50051}`).
# A server the blocks started is stopped whatever happens.
#
#   scripts/walkthrough.sh              45-90 s on 2 busy cores when the jars are built (half of it the build)
#   KEEP=1 scripts/walkthrough.sh       keep the folder (it is kept anyway when a block fails)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DOC="$ROOT/docs/first-ten-minutes.md"
for tool in script curl; do # script (util-linux / bsdutils) for the terminal block; curl as the page uses it
  command -v "$tool" >/dev/null || { echo "walkthrough: '$tool' is needed and not on the PATH" >&2; exit 1; }
done
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pfgm-walkthrough.XXXXXX")"
mkdir -p "$ROOT/.tools"   # scripts/tools.sh installs into the real .tools, through the link
for entry in "$ROOT"/* "$ROOT"/.[!.]*; do
  [ -e "$entry" ] || continue
  [ "$(basename "$entry")" = .git ] && continue
  ln -s "$entry" "$WORK/$(basename "$entry")"
done

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"
METRICS_PORT="$(free_port)"
while [ "$METRICS_PORT" = "$PORT" ]; do METRICS_PORT="$(free_port)"; done
export PORT METRICS_PORT

# The page's blocks and checks, turned into one bash script.
mkdir -p "$WORK/.walkthrough"
python3 - "$DOC" "$WORK/.walkthrough" > "$WORK/.walkthrough/run.sh" <<'EOF'
import pathlib, re, shlex, sys
doc, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
lines = doc.read_text(encoding="utf-8").splitlines()
blocks, i = [], 0
while i < len(lines):
    m = re.match(r"^```(\S*)\s*$", lines[i])
    if not m:
        i += 1
        continue
    j = i + 1
    while not lines[j].startswith("```"):
        j += 1
    checks, k = [], j + 1
    while k < len(lines) and not lines[k].startswith("```"):
        t = re.match(r"^<!-- test: (.*?) -->\s*$", lines[k])
        if t:
            checks.append(t.group(1))
        elif lines[k].strip():
            break  # the checks stand right under their block
        k += 1
    if m.group(1) == "sh":
        blocks.append((i + 1, "\n".join(lines[i + 1:j]), checks))
    elif checks:
        sys.exit(f"{doc}:{i + 1}: checks under a block that is not ```sh")
    i = j + 1
if not blocks:
    sys.exit(f"{doc}: no ```sh blocks")
print("set -e")
print(f"ROOT={shlex.quote(str(doc.parent.parent))}")
for n, (line, text, checks) in enumerate(blocks, 1):
    (out / f"block-{n}.sh").write_text(text + "\n", encoding="utf-8")
    print(f"begin {n} {len(blocks)} {line} {shlex.quote(text.splitlines()[0])}")
    if "in a terminal" in checks:
        print(f"in_terminal {n}")
    elif "in place" in checks:
        print(f'pushd "$ROOT" > /dev/null; source "$W/block-{n}.sh" > "$W/out-{n}.txt" 2>&1; popd > /dev/null')
    else:
        print(f'source "$W/block-{n}.sh" > "$W/out-{n}.txt" 2>&1')
    for c in checks:
        if c in ("in a terminal", "in place"):
            continue
        kind, _, arg = c.partition(" ")
        if kind == "file":
            print(f"expect_file {n} {shlex.quote(arg)}")
        elif kind == "output" and arg.startswith("has "):
            print(f"expect_output {n} {shlex.quote(arg[4:])}")
        else:
            sys.exit(f"{doc}: unknown check '{c}' (output has TEXT, file PATH, in a terminal, in place)")
    print(f"done_block {n}")
EOF

# What the generated script calls; it runs in this shell's child, so the blocks share one shell.
cat > "$WORK/.walkthrough/lib.sh" <<'EOF'
W="$(pwd)/.walkthrough"
STARTED=$SECONDS
begin() { BLOCK=$1; printf 'walkthrough: [%s/%s] line %s: %s' "$1" "$2" "$3" "$4" >&2; T0=$SECONDS; }
done_block() { jobs -p > "$W/jobs"; printf '  ok (%s s)\n' $((SECONDS - T0)) >&2; }
fail() { trap - EXIT; jobs -p > "$W/jobs"
  printf '\nwalkthrough: block %s (docs/first-ten-minutes.md): %s\n--- its output:\n' "$BLOCK" "$1" >&2
  cat "$W/out-$BLOCK.txt" >&2 2>/dev/null; exit 1; }
in_terminal() {
  script -qec "stty cols 100 rows 40 2>/dev/null; bash -e '$W/block-$1.sh'" /dev/null < /dev/null > "$W/out-$1.txt" 2>&1 \
    || fail "exit status $? in a terminal"
}
expect_output() { grep -qF -- "$2" "$W/out-$1.txt" || fail "its output lacks '$2'"; }
expect_file() {
  [ -s "$2" ] || fail "no file '$2' (or it is empty)"
  python3 - "$2" <<'PY' || fail "'$2' is not what its name says"
import sys
path, head = sys.argv[1], open(sys.argv[1], "rb").read(8)
sigs = {".png": [b"\x89PNG\r\n\x1a\n"], ".gif": [b"GIF87a", b"GIF89a"]}
ok = [s for ext, s in sigs.items() if path.endswith(ext)]
sys.exit(0 if not ok or any(head.startswith(s) for s in ok[0]) else 1)
PY
}
trap 'rc=$?; jobs -p > "$W/jobs"; [ $rc -eq 0 ] || fail "exit status $rc"' EXIT
EOF

stop_leftovers() { # a server a failed block left running
  local pid jobs="$WORK/.walkthrough/jobs"
  [ -f "$jobs" ] || return 0
  while read -r pid; do
    if kill -0 "$pid" 2>/dev/null; then
      echo "walkthrough: stopping pid $pid, left running by the walkthrough" >&2
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done < "$jobs"
}
trap stop_leftovers EXIT

echo "walkthrough: docs/first-ten-minutes.md in $WORK, PORT=$PORT METRICS_PORT=$METRICS_PORT" >&2
START=$SECONDS
rc=0
(cd "$WORK" && timeout 600 bash -c 'source .walkthrough/lib.sh; source .walkthrough/run.sh') || rc=$?
stop_leftovers
if [ $rc -ne 0 ]; then
  [ $rc -eq 124 ] && echo "walkthrough: stopped after 600 s" >&2
  echo "walkthrough: FAILED; its folder is kept: $WORK" >&2
  exit 1
fi
echo "walkthrough: every block ran and every check held, in $((SECONDS - START)) s" >&2
if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "walkthrough: kept $WORK" >&2; fi
