#!/usr/bin/env bash
# Softmax, vecgrad vs torch.softmax, back to back, ROUNDS times (default 3); prints each round's
# table and a summary of the ratios (min/median/max over rounds).
#
#   [ROUNDS=3] bench/compare/softmax_compare.sh
#
# Environment: ROUNDS (default 3), JAVA (a JDK 25 java; default: the first JDK 25 of JAVA_HOME,
# java on the PATH, /usr/lib/jvm/*), PYTHON (a Python with torch; default: python3, else
# /usr/bin/python3). Builds bench/target/benchmarks.jar first if it is missing or older than its
# sources (mvn -B -q -pl bench -am package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# -eq 0 ]] || { echo "usage: [ROUNDS=3] softmax_compare.sh (no arguments)" >&2; exit 2; }
ROUNDS=${ROUNDS:-3}
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "softmax_compare.sh: ROUNDS must be a positive integer, got '$ROUNDS'" >&2; exit 2; }
source bench/compare/find_jdk25.sh   # sets JAVA (the cd above made the repository root current)
PY_NEEDS=torch
source bench/compare/find_python.sh   # sets PY
source bench/compare/bench_jar.sh   # builds bench/target/benchmarks.jar if missing or older than its sources
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -n) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  echo "## round $r"
  "$PY" bench/compare/softmax_compare.py > "$OUT/torch$r.txt"
  cat "$OUT/torch$r.txt"
  "$JAVA" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
    dev.vecgrad.bench.SoftmaxCompare "$OUT/torch$r.txt" 2> >(grep -v 'Using incubator modules' >&2) | tee "$OUT/java$r.txt"
done
echo "## summary over $ROUNDS rounds: speedup min / median / max, of per-round medians | of per-round minima"
cat "$OUT"/java*.txt | grep '^ratio' | "$PY" -c '
import sys, statistics, collections
d = collections.defaultdict(list)
for line in sys.stdin:
    _, shape, what, threads, med, lo = line.split()
    d[(shape, what, threads)].append((float(med), float(lo)))
for (shape, what, threads), v in d.items():
    a = [x[0] for x in v]
    b = [x[1] for x in v]
    print(f"{shape:14s} {what:12s} threads={threads}  {min(a):.2f} / {statistics.median(a):.2f} / {max(a):.2f}"
          f"  |  {min(b):.2f} / {statistics.median(b):.2f} / {max(b):.2f}")
'
