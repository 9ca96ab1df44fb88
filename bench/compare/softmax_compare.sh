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
echo "## summary over $ROUNDS rounds: speedup min / median / max, of per-round medians | of per-round minima"
cat "$OUT"/java*.txt | grep '^ratio' | /usr/bin/python3 -c '
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
