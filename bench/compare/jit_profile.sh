#!/usr/bin/env bash
# Where the JIT's time goes in a `vecgrad train` run (issue 20, session 8).
#
#   bench/compare/jit_profile.sh tinyshakespeare.txt
#
# Runs one shakespeare-char training (ITERS steps, default 200, at THREADS threads, default 2)
# with HotSpot's compilation log and compiler timers on, then summarizes the log with
# jit_profile.py: compile time by compiler, code group and kind (standard / on-stack
# replacement), when it happens, the most expensive C2 methods, and C2's deoptimizations.
# The log costs time itself (the run is slower than an unlogged one): use it to see where the
# compile time goes, not for throughput. The log and the run are kept in KEEP (default: a
# temporary directory, removed at the end). PYTHON: any Python 3 for the summary (default: python3,
# else /usr/bin/python3).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: jit_profile.sh TEXT_FILE" >&2; exit 2; }
[[ -f "$1" ]] || { echo "jit_profile.sh: $1: no such file" >&2; exit 2; }
DATA=$(realpath "$1")   # absolute: paths given relative to the caller's directory, before the cd below
THREADS=${THREADS:-2}
ITERS=${ITERS:-200}
OUT=${KEEP:-$(mktemp -d)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$OUT"' EXIT
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
cd "$(dirname "$0")/../.."
PY_NEEDS=
source bench/compare/find_python.sh   # sets PY

./vecgrad --version >/dev/null   # builds the CLI jar first if needed
if ! VECGRAD_JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=$OUT/compile.log -XX:+CITime" \
  ./vecgrad train --data "$DATA" --preset shakespeare-char --max-iters "$ITERS" --eval-interval 1000000 \
  --eval-iters 1 --threads "$THREADS" --no-progress --out "$OUT/run" > "$OUT/train.out" 2>&1; then
  echo "jit_profile.sh: the training run failed:" >&2
  tail -n 20 "$OUT/train.out" >&2
  exit 1
fi
echo "# $(date -u +%Y-%m-%dT%H:%MZ) shakespeare-char, $ITERS steps, $THREADS threads"
tail -1 "$OUT/run/metrics.jsonl"
sed -n 's/^ *\(C[12] Compile Time: .*\)/\1/p; s/^ *\(Total compilation time *: .*\)/\1/p' "$OUT/train.out"
"$PY" bench/compare/jit_profile.py "$OUT/compile.log"
