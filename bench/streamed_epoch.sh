#!/usr/bin/env bash
# A streamed epoch against the in-memory epoch of the same model, batch size and cells: the
# 20,000 x 20,000 benchmark file (fits in memory) trained once in memory and once streamed
# (--max-memory 64M: chunks of 16 MB, the next read while one is computed), warm page cache,
# median of 5 epochs. While streaming, `scgrad train` computes on one core fewer than --threads
# (the reader has its own; app/threads_option.hpp).
# Also each stage alone: reading and preparing the chunks (one of the two streaming
# statistics passes), and computing (the in-memory epoch). ~3 minutes; not run in CI.
#   usage: bench/streamed_epoch.sh [SCGRAD] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
scgrad=${1:-build/scgrad}
threads=${2:-0}
file=$(bench/atlas_file.sh "$scgrad")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$file" >/dev/null  # warm page cache
source bench/median_epoch.sh
echo "| model | in memory (s/epoch) | streamed (s/epoch) | ratio | one read pass (s) |"
echo "|---|---|---|---|---|"
for model in logistic mlp; do
  run() {
    "$scgrad" train "$file" --classes Astrocytes,Glioblasts --model "$model" --compute sparse \
      --test-fraction 0 --validation-fraction 0 --batch-size 128 --epochs 5 --lr 1e-4 \
      --weight-decay 0 --optimizer adam --threads "$threads" --metrics-out "$tmp/$1.json" "${@:2}" \
      >"$tmp/$1.log" 2>&1
  }
  run memory
  run streamed --max-memory 64M
  grep -q "streamed from disk" "$tmp/streamed.log" || { echo "not streamed"; cat "$tmp/streamed.log"; exit 1; }
  in_memory=$(median_epoch "$tmp/memory.json")
  streamed=$(median_epoch "$tmp/streamed.json")
  passes=$(grep -o -E 'two streaming passes in [0-9.]+ s' "$tmp/streamed.log" | grep -o -E '[0-9.]+ s' | tr -d ' s')
  echo "| $model | $in_memory | $streamed | $(/usr/bin/python3 -c "print('%.2f' % ($streamed / $in_memory))") | $(/usr/bin/python3 -c "print('%.2f' % ($passes / 2))") |"
done
