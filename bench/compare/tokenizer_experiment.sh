#!/usr/bin/env bash
# Char vs byte-level BPE at the shakespeare-char model size (issue 16): the same model, recipe and
# number of steps with four tokenizers, compared in validation bits per byte (a per-token loss
# divided by ln 2 and by the bytes per token, so tokenizers compare), training tokens/s and a sample.
#
#   bench/compare/tokenizer_experiment.sh tinyshakespeare.txt
#
# Environment: STEPS (default 2000, the preset's), EVAL_ITERS (default 50), TOKENIZERS (default
# "char bpe:512 bpe:1024 bpe:2048"), THREADS (default 2), OUT (default a temporary directory).
# bpe:N trains the tokenizer on the first 90% of the file (the training split) inside the run.
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: tokenizer_experiment.sh TEXT_FILE" >&2; exit 2; }
[[ -f "$1" ]] || { echo "tokenizer_experiment.sh: $1: no such file" >&2; exit 2; }
DATA=$(realpath "$1")   # absolute: paths given relative to the caller's directory, before the cd below
STEPS=${STEPS:-2000}
EVAL_ITERS=${EVAL_ITERS:-50}
TOKENIZERS=${TOKENIZERS:-"char bpe:512 bpe:1024 bpe:2048"}
THREADS=${THREADS:-2}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
OUT=$(realpath "$OUT")
cd "$(dirname "$0")/../.."
./vecgrad --version >/dev/null   # builds the CLI jar first if needed
echo "# $(date -u +%Y-%m-%dT%H:%MZ) nproc=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg); $STEPS steps, eval-iters $EVAL_ITERS; runs in $OUT"
for tok in $TOKENIZERS; do
  run="$OUT/${tok/:/-}"
  rm -rf "$run"
  ./vecgrad train --data "$DATA" --preset shakespeare-char --tokenizer "$tok" --max-iters "$STEPS" \
      --eval-interval "$STEPS" --eval-iters "$EVAL_ITERS" --threads "$THREADS" --no-progress --out "$run" > "$run.log"
  last=$(grep -E '^step [0-9]+/' "$run.log" | tail -1)
  echo "$tok: $last"
  grep -E 'bytes a token|characters, ' "$run.log" | head -1 | sed 's/^/  data: /'
  echo "  sample: $(./vecgrad sample --checkpoint "$run" --prompt 'ROMEO:' --max-new-tokens 60 --seed 1 --temperature 0.8 \
      | tr '\n' '|' | cut -c1-240)"
done
