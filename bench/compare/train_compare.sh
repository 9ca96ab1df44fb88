#!/usr/bin/env bash
# Training throughput, vecgrad vs PyTorch, back to back on this machine (issue 6).
#
#   bench/compare/train_compare.sh tinyshakespeare.txt
#
# Per round: PyTorch (tools/pytorch/nanogpt.py through bench/compare/train_torch.py, same
# architecture and recipe) at 1 and at 2 threads, then `./vecgrad train` at 1 and at 2 threads,
# for shakespeare-char (200 iterations) and baby-gpt (20 iterations). Both sides report training
# tokens/s without evaluation time and without their first iterations (torch: 5, vecgrad: 3).
# Prints every run, then per preset the median tokens/s of each side over the rounds, vecgrad's
# thread scaling (most threads / fewest) and the ratio vecgrad (most threads) / best PyTorch.
#
# Environment: ROUNDS (default 3), PRESETS (default "shakespeare-char baby-gpt"),
# VECGRAD_THREADS (default "1 2"), TORCH_THREADS (default "1 2"; baby-gpt's slow PyTorch
# 1-thread run can be left out with "2" once it is known to be the slower one), ITERS_SC and
# ITERS_BABY (iterations per run, default 200 and 20), JAVA_OPTS_EXTRA (extra JVM flags for
# vecgrad, e.g. -Xmx512m), TORCH_OPENBLAS_CORETYPE (PyTorch's runs otherwise drop any
# OPENBLAS_CORETYPE of the environment, so that OpenBLAS picks the CPU's own kernels; set this,
# e.g. to Haswell, to hold them to a core type, as when both sides are held to AVX2), PYTHON (a Python with torch and numpy; default: python3, else
# /usr/bin/python3).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: train_compare.sh TEXT_FILE" >&2; exit 2; }
[[ -f "$1" ]] || { echo "train_compare.sh: $1: no such file" >&2; exit 2; }
DATA=$(realpath "$1")   # absolute: paths given relative to the caller's directory, before the cd below
cd "$(dirname "$0")/../.."
PY_NEEDS="torch numpy"
source bench/compare/find_python.sh   # sets PY
ROUNDS=${ROUNDS:-3}
PRESETS=${PRESETS:-"shakespeare-char baby-gpt"}
VTS=${VECGRAD_THREADS:-"1 2"}
TTS=${TORCH_THREADS:-"1 2"}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
iters() { [ "$1" = baby-gpt ] && echo "${ITERS_BABY:-20}" || echo "${ITERS_SC:-200}"; }
# Every setting checked before the first run, with one line each.
bad() { echo "train_compare.sh: $*" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || bad "ROUNDS must be a positive integer, got '$ROUNDS'"
for v in ITERS_SC ITERS_BABY; do   # PyTorch leaves its first 5 steps out of the timing, vecgrad its first 3
  [[ "${!v:-20}" =~ ^[0-9]+$ ]] && (( ${!v:-20} >= 6 )) || bad "$v must be an integer >= 6 (PyTorch times only the steps after its first 5), got '${!v}'"
done
[[ -n "${PRESETS// /}" ]] || bad "PRESETS is empty"
[[ -z "${TORCH_OPENBLAS_CORETYPE:-}" || "$TORCH_OPENBLAS_CORETYPE" =~ ^[A-Za-z0-9_]+$ ]] \
  || bad "TORCH_OPENBLAS_CORETYPE must be an OpenBLAS core name such as Haswell, got '$TORCH_OPENBLAS_CORETYPE'"
for p in $PRESETS; do
  [[ "$p" = shakespeare-char || "$p" = baby-gpt ]] || bad "unknown preset '$p' in PRESETS (expected shakespeare-char, baby-gpt)"
done
for v in VTS TTS; do
  name=$([ "$v" = VTS ] && echo VECGRAD_THREADS || echo TORCH_THREADS)
  [[ "${!v}" =~ ^\ *[1-9][0-9]*(\ +[1-9][0-9]*)*\ *$ ]] || bad "$name must be positive thread counts separated by spaces, e.g. \"1 2\"; got '${!v}'"
done

./vecgrad --version >/dev/null   # builds the CLI jar first if needed, outside the timings
echo "# $(date -u +%Y-%m-%dT%H:%MZ) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(./vecgrad --version | head -1); $("$PY" -c 'import torch; print("torch", torch.__version__)')"
for r in $(seq 1 "$ROUNDS"); do
  for p in $PRESETS; do
    n=$(iters "$p")
    for t in $TTS; do
      # The run's output is kept out of the table, but shown if the run fails.
      if ! env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ${TORCH_OPENBLAS_CORETYPE:+OPENBLAS_CORETYPE="$TORCH_OPENBLAS_CORETYPE"} \
              "$PY" bench/compare/train_torch.py --data "$DATA" \
              --preset "$p" --max-iters "$n" --no-eval --threads "$t" --quiet > "$OUT/torch.log" 2>&1; then
        echo "train_compare.sh: the PyTorch run ($p, $t threads) failed:" >&2
        tail -n 20 "$OUT/torch.log" >&2
        exit 1
      fi
      tps=$(tail -1 "$OUT/torch.log" | "$PY" -c 'import json,sys; print(round(json.load(sys.stdin)["tokens_per_s"]))')
      echo "round $r $p pytorch threads=$t tokens/s $tps" | tee -a "$OUT/all.txt"
    done
    for vt in $VTS; do
      rm -rf "$OUT/run"
      VECGRAD_JAVA_OPTS="${JAVA_OPTS_EXTRA:-}" ./vecgrad train --data "$DATA" --preset "$p" --max-iters "$n" \
          --eval-interval 1000000 --eval-iters 1 --threads "$vt" --no-progress --out "$OUT/run" >/dev/null
      tps=$(tail -1 "$OUT/run/metrics.jsonl" | "$PY" -c 'import json,sys; print(round(json.load(sys.stdin)["tokens_per_s"]))')
      echo "round $r $p vecgrad threads=$vt tokens/s $tps" | tee -a "$OUT/all.txt"
    done
  done
done
echo "## medians over $ROUNDS rounds"
"$PY" - "$OUT/all.txt" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    _, _, preset, impl, threads, _, tps = line.split()
    runs[(preset, impl, threads)].append(float(tps))
for preset in dict.fromkeys(k[0] for k in runs):
    med = {k[1:]: statistics.median(v) for k, v in runs.items() if k[0] == preset}
    torch = {k: v for k, v in med.items() if k[0] == "pytorch"}
    best = max(torch, key=torch.get)
    ours = sorted((int(k[1].split("=")[1]), v) for k, v in med.items() if k[0] == "vecgrad")
    mine = ours[-1][1]
    line = ", ".join(f"{i} {t}: {v:,.0f}" for (i, t), v in sorted(med.items()))
    scaling = f"; vecgrad {ours[-1][0]} / {ours[0][0]} threads = {mine / ours[0][1]:.2f}x" if len(ours) > 1 else ""
    print(f"{preset}: {line} tokens/s{scaling}; vecgrad ({ours[-1][0]} threads) / best pytorch ({best[1]}) = {mine / torch[best]:.2f}x")
PY
