#!/usr/bin/env bash
# Atlas scale: a simulated 1,000,000 cells x 20,000 genes file (~10 % nonzero, ~16 GB on disk)
# trained by streaming from disk, with its peak memory (/usr/bin/time -v) and seconds per epoch.
# Needs ~17 GB free in ${TMPDIR:-/tmp} and ~10 minutes. Not run in CI.
#   usage: bench/streaming_benchmark.sh [CELLS] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
cells=${1:-1000000}
epochs=${2:-2}
file=${TMPDIR:-/tmp}/scgrad-bench-${cells}x20000.h5ad
if [[ ! -f $file ]]; then
  echo "simulating $file ..."
  /usr/bin/time -f "simulate: %e s, peak %M KB" build/scgrad simulate "$file" --cells "$cells" \
    --genes 20000 --seed 1 --library-size 2500 --cell-types Astrocytes,Glioblasts
fi
ls -l "$file"
for model in ${MODELS:-logistic mlp}; do
  echo "== $model, streaming with --max-memory 2G"
  /usr/bin/time -v build/scgrad train "$file" --classes Astrocytes,Glioblasts --model "$model" \
    --epochs "$epochs" --max-memory 2G --test-fraction 0.01 --metrics-out /tmp/stream-$model.json \
    2> /tmp/stream-$model.err | grep -E "^ +[0-9]+ |final"
  grep -E "two streaming passes|input:|Elapsed|Maximum resident" /tmp/stream-$model.err
done
