#!/usr/bin/env bash
# GPT-2 small (random weights, 124,439,808 parameters) in vecgrad and in PyTorch, back to back.
#
#   bench/compare/gpt2_compare.sh TEXT_FILE
#
# Writes a GPT-2 folder of GPT-2 small's shape into a temporary directory (about 500 MB, deleted
# at the end; never inside the repository), then per round:
#   - sampling: prompt 16 tokens, 256 new tokens, top-k 200, temperature 0.8, one sequence, at 1
#     and 2 threads: vecgrad (`sample --stats`, KV cache; the second of two samples, after JIT
#     warm-up) and PyTorch with a KV cache; PyTorch without a cache (nanoGPT's generate loop, the
#     whole context re-run per token) only for NOCACHE_NEW tokens (default 64: at 256 it takes
#     tens of minutes here), which flatters it (its cost per token grows with the context);
#   - one fine-tuning step, batch 4 x 256 tokens, AdamW: vecgrad (`train --init-from`, 8 steps,
#     the first 3 untimed) at 2 threads, PyTorch (median of 5 steps after 2) at 1 and 2 threads;
#   - load time and peak memory (vecgrad: heap peak; PyTorch: resident set).
# Prints every run, then medians per configuration over the rounds.
#
# Environment: ROUNDS (default 3), NEW_TOKENS (default 256), NOCACHE_NEW (default 64), STEP (1: also
# the fine-tuning step; default 1), PYTHON (a Python with torch and numpy; default: python3, else
# /usr/bin/python3).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: gpt2_compare.sh TEXT_FILE" >&2; exit 2; }
[[ -f "$1" ]] || { echo "gpt2_compare.sh: $1: no such file" >&2; exit 2; }
DATA=$(realpath "$1")   # absolute: paths given relative to the caller's directory, before the cd below
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
NEW=${NEW_TOKENS:-256}
NOCACHE_NEW=${NOCACHE_NEW:-64}
STEP=${STEP:-1}
for v in ROUNDS NEW NOCACHE_NEW; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "gpt2_compare.sh: $([ $v = NEW ] && echo NEW_TOKENS || echo $v) must be a positive integer, got '${!v}'" >&2; exit 2; }
done
[[ "$STEP" = 0 || "$STEP" = 1 ]] || { echo "gpt2_compare.sh: STEP must be 0 or 1, got '$STEP'" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PY_NEEDS="torch numpy"
source bench/compare/find_python.sh   # sets PY
TORCH() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" bench/compare/gpt2_torch.py --folder "$TMP/gpt2" "$@"; }

./vecgrad --version >/dev/null
"$PY" tools/pytorch/hf_gpt2.py make --preset gpt2 --out "$TMP/gpt2" >/dev/null
# 16 tokens with the folder's tokenizer (hf_gpt2.py make: 126 merges learnt on a short English text)
PROMPT="The bank of the river was steep. The cat sat on the mat."
echo "# $(date -u +%Y-%m-%dT%H:%MZ) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(./vecgrad --version | head -1); $("$PY" -c 'import torch; print("torch", torch.__version__)')"
for r in $(seq 1 "$ROUNDS"); do
  for t in 1 2; do
    line=$(./vecgrad sample --checkpoint "$TMP/gpt2" --prompt "$PROMPT" --max-new-tokens "$NEW" --num-samples 2 \
             --threads "$t" --stats 2>&1 >/dev/null | grep '^stats:')
    echo "round $r sample vecgrad threads=$t $(sed -E 's/.*last sample ([0-9.]+) tokens\/s.*/\1/' <<<"$line") tokens/s | $line"
    for c in on off; do
      n=$NEW; [ "$c" = off ] && n=$NOCACHE_NEW
      j=$(TORCH --mode sample --threads "$t" --cache "$c" --new-tokens "$n")
      echo "round $r sample pytorch-cache-$c threads=$t $("$PY" -c 'import json,sys; print(json.load(sys.stdin)["tokens_per_s"])' <<<"$j") tokens/s | $j"
    done
  done
  [ "$STEP" = 1 ] || continue
  rm -rf "$TMP/ft"
  ./vecgrad train --init-from "$TMP/gpt2" --data "$DATA" --out "$TMP/ft" --batch-size 4 --block-size 256 --max-iters 8 \
      --eval-interval 1000 --eval-iters 1 --threads 2 --no-progress > "$TMP/ft.log" 2>&1
  tps=$(grep -v val_loss "$TMP/ft/metrics.jsonl" | tail -1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["tokens_per_s"])')
  echo "round $r step vecgrad threads=2 $("$PY" -c "print(round(1024000 / $tps, 1))") ms/step | $(grep 'heap peak' "$TMP/ft.log")"
  for t in 1 2; do
    j=$(TORCH --mode step --threads "$t")
    echo "round $r step pytorch threads=$t $("$PY" -c 'import json,sys; print(json.load(sys.stdin)["ms_per_step"])' <<<"$j") ms/step | $j"
  done
  j=$(TORCH --mode load --threads 2)
  echo "round $r load pytorch threads=2 $("$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["load_s"])' <<<"$j") s | $j"
done | tee "$TMP/all.txt"
echo "## medians over $ROUNDS rounds"
"$PY" - "$TMP/all.txt" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    runs[(f[2], f[3], f[4], f[6])].append(float(f[5]))
for k, v in sorted(runs.items()):
    print(f"{k[0]:6} {k[1]:18} {k[2]:9} median {statistics.median(v):8.2f} {k[3]}  (min {min(v):.2f}, max {max(v):.2f}, n={len(v)})")
PY
