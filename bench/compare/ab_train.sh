#!/usr/bin/env bash
# Two builds of vecgrad, paired: training tokens/s and allocation per step of jar A and jar B,
# alternating A, B, B, A, ... so that the host's drift (other jobs, thermal state) hits both
# alike. Each run is `java -jar JAR train` on the same text, preset and seed; the figures are
# the trainer's own (metrics.jsonl: tokens/s without evaluation time and without the first
# steps, and MB allocated per timed step on all threads).
#
#   bench/compare/ab_train.sh before.jar after.jar tinyshakespeare.txt
#
# Build a jar of a commit with:  git worktree add --detach /tmp/x COMMIT && (cd /tmp/x &&
#   mvn -B -q -DskipTests -pl examples -am package) && cp /tmp/x/examples/target/vecgrad.jar before.jar
# Environment: ROUNDS (default 4), PRESET (default shakespeare-char), ITERS (default 60),
# THREADS (default 2), JAVA (a JDK 25 java; default: the first JDK 25 of JAVA_HOME, java on the
# PATH, /usr/lib/jvm/*), PYTHON (any Python 3, for the table; default: python3, else /usr/bin/python3).
# Prints every run, then the median of each side and the median of the per-round ratios B/A.
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: ab_train.sh A.jar B.jar TEXT_FILE" >&2; exit 2; }
for f in "$@"; do [[ -f "$f" ]] || { echo "ab_train.sh: $f: no such file" >&2; exit 2; }; done
A=$1
B=$2
DATA=$3
ROUNDS=${ROUNDS:-4}
PRESET=${PRESET:-shakespeare-char}
ITERS=${ITERS:-60}
THREADS=${THREADS:-2}
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "ab_train.sh: ROUNDS must be a positive integer, got '$ROUNDS'" >&2; exit 2; }
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || { echo "ab_train.sh: THREADS must be a positive integer, got '$THREADS'" >&2; exit 2; }
# vecgrad's tokens/s leaves a run's first 3 steps out, so a run needs 4 to have a figure.
[[ "$ITERS" =~ ^[0-9]+$ ]] && (( ITERS >= 4 )) || { echo "ab_train.sh: ITERS must be an integer >= 4 (the first 3 steps are not timed), got '$ITERS'" >&2; exit 2; }
source "$(dirname "${BASH_SOURCE[0]}")/find_jdk25.sh"   # sets JAVA
PY_NEEDS=
source "$(dirname "${BASH_SOURCE[0]}")/find_python.sh"   # sets PY
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

run() {   # run JAR LABEL ROUND
  rm -rf "$OUT/run"
  # The run's output is kept out of the table, but shown if the run fails.
  # The launcher's heap flags: with the JVM's default quarter of the RAM, baby-gpt's step does not
  # fit the workspace's half-heap budget and allocates gigabytes a step (the runs then time the GC).
  if ! "$JAVA" --add-modules jdk.incubator.vector -XX:+UseTransparentHugePages -XX:MaxRAMPercentage=50 \
      -jar "$1" train --data "$DATA" \
      --preset "$PRESET" --max-iters "$ITERS" --eval-interval 1000000 --eval-iters 1 --threads "$THREADS" \
      --no-progress --out "$OUT/run" >"$OUT/train.log" 2>&1; then
    echo "ab_train.sh: training with $1 failed:" >&2
    tail -n 20 "$OUT/train.log" >&2
    exit 1
  fi
  tail -1 "$OUT/run/metrics.jsonl" | "$PY" -c '
import json, sys
m = json.load(sys.stdin)
print(sys.argv[1], sys.argv[2], round(m["tokens_per_s"]), m["alloc_mb_per_step"])' "$2" "$3" | tee -a "$OUT/all.txt"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg); $PRESET, $ITERS iterations, $THREADS threads"
echo "# side round tokens/s alloc_mb_per_step"
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then run "$A" A "$r"; run "$B" B "$r"; else run "$B" B "$r"; run "$A" A "$r"; fi
done
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$OUT/all.txt" <<'PY'
import collections, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = collections.defaultdict(dict)
for side, rnd, tps, mb in rows:
    by[rnd][side] = (float(tps), float(mb))
for side in "AB":
    t = [v[side][0] for v in by.values()]
    a = [v[side][1] for v in by.values()]
    print(f"{side}: median {statistics.median(t):,.0f} tokens/s, median {statistics.median(a):.2f} MB allocated per step")
ratios = [v["B"][0] / v["A"][0] for v in by.values()]
print("B/A tokens/s per round: " + ", ".join(f"{x:.3f}" for x in ratios) + f"; median {statistics.median(ratios):.3f}")
PY
