#!/usr/bin/env bash
# GEMM side by side: vecgrad (dev.vecgrad.bench.GemmCompare) then numpy and torch, at 1 and 2
# threads, for ROUNDS rounds back to back (the machine's speed drifts, so the rounds interleave the
# implementations), then a table of min/median/max GFLOP/s and vecgrad / best-of(numpy, torch).
#
#   bench/compare/gemm_compare.sh [ROUNDS (default 3)]
# Environment: REPS (repetitions per round, default 3), MIN_MS (ms per repetition, default 300),
# SHAPES (MxNxK,...), VARIANTS (NN,NT,TN), THREADS ("1 2"), JAVA (a JDK 25 java), OUT (raw JSON lines),
# PYTHON (a Python with numpy and torch; default: python3, else /usr/bin/python3).
set -euo pipefail

[[ $# -le 1 && "${1:-3}" =~ ^[1-9][0-9]*$ ]] || { echo "usage: gemm_compare.sh [ROUNDS (a positive integer, default 3)]" >&2; exit 2; }
ROUNDS="${1:-3}"
REPS="${REPS:-3}"
MIN_MS="${MIN_MS:-300}"
SHAPES="${SHAPES:-512x512x512,1024x1024x1024,768x384x128,768x512x128,768x128x128,768x128x512}"
VARIANTS="${VARIANTS:-NN,NT,TN}"
THREADS="${THREADS:-1 2}"
bad() { echo "gemm_compare.sh: $*" >&2; exit 2; }
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || bad "REPS must be a positive integer, got '$REPS'"
[[ "$MIN_MS" =~ ^[1-9][0-9]*$ ]] || bad "MIN_MS must be a positive integer, got '$MIN_MS'"
[[ "$SHAPES" =~ ^[1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]*(,[1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]*)*$ ]] \
  || bad "SHAPES must be MxNxK,... (positive sizes), got '$SHAPES'"
[[ "$VARIANTS" =~ ^(NN|NT|TN)(,(NN|NT|TN))*$ ]] || bad "VARIANTS must be a comma-separated list of NN, NT, TN, got '$VARIANTS'"
[[ "$THREADS" =~ ^\ *[1-9][0-9]*(\ +[1-9][0-9]*)*\ *$ ]] || bad "THREADS must be thread counts separated by spaces, e.g. \"1 2\"; got '$THREADS'"
THREADS=$(xargs <<<"$THREADS")   # single spaces, none around: GemmCompare takes them joined by commas
OUT="$(realpath -m "${OUT:-$(mktemp /tmp/gemm_compare.XXXXXX.jsonl)}")"   # before the cd: relative to the caller
cd "$(dirname "$0")/../.."
source bench/compare/find_jdk25.sh   # sets JAVA (the cd above made the repository root current)
PY_NEEDS="numpy torch"
source bench/compare/find_python.sh   # sets PY
source bench/compare/bench_jar.sh   # builds bench/target/benchmarks.jar if missing or older than its sources
JAR=bench/target/benchmarks.jar

# The environment may pin OpenBLAS to a core type or cache size; the reference runs use its own
# detection, as a user's numpy/torch would. Unset only here, for the benchmark processes.
py() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$1" OMP_NUM_THREADS="$1" \
         MKL_NUM_THREADS="$1" "$PY" bench/compare/gemm_compare.py measure --threads "$1" "${@:2}"; }

{
  echo "# date $(date -u +%Y-%m-%dT%H:%MZ), $("$JAVA" -version 2>&1 | head -1), cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  for ((r = 1; r <= ROUNDS; r++)); do
    echo "# round $r" >&2
    "$JAVA" --add-modules jdk.incubator.vector -cp "$JAR" dev.vecgrad.bench.GemmCompare \
      --reps "$REPS" --min-ms "$MIN_MS" --threads "${THREADS// /,}" --shapes "$SHAPES" --variants "$VARIANTS" \
      2> >(grep -v 'Using incubator modules' >&2)   # the JDK's one harmless line out, errors in
    for t in $THREADS; do
      py "$t" --lib numpy --reps "$REPS" --min-ms "$MIN_MS" --shapes "$SHAPES" --variants "$VARIANTS"
      py "$t" --lib torch --reps "$REPS" --min-ms "$MIN_MS" --shapes "$SHAPES" --variants "$VARIANTS"
    done
  done
} | tee "$OUT" >&2
echo "raw results: $OUT" >&2
head -1 "$OUT"
"$PY" bench/compare/gemm_compare.py report "$OUT"
