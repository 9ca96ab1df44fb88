#!/usr/bin/env bash
# Softmax, vecgrad vs torch.softmax, back to back, ROUNDS times (default 3); prints each round's
# table and a summary of the ratios (min/median/max over rounds).
# Needs bench/target/benchmarks.jar: mvn -B -q -pl bench -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -n) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  echo "## round $r"
  /usr/bin/python3 bench/compare/softmax_compare.py > "$OUT/torch$r.txt"
  cat "$OUT/torch$r.txt"
  "$JAVA" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
    dev.vecgrad.bench.SoftmaxCompare "$OUT/torch$r.txt" 2>/dev/null | tee "$OUT/java$r.txt"
done
echo "## summary over $ROUNDS rounds: ratio min / median / max"
cat "$OUT"/java*.txt | grep '^ratio' | /usr/bin/python3 -c '
import sys, statistics, collections
d = collections.defaultdict(list)
for line in sys.stdin:
    _, shape, what, threads, v = line.split()
    d[(shape, what, threads)].append(float(v))
for (shape, what, threads), v in d.items():
    print(f"{shape:14s} {what:12s} threads={threads}  {min(v):.2f} / {statistics.median(v):.2f} / {max(v):.2f}")
'
