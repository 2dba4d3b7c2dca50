#!/usr/bin/env bash
# Where the sparse first layer beats dense BLAS: median full-batch epoch time of
# `scgrad train --compute sparse` and `--compute dense` on simulated files of rising density
# (5,000 cells x 4,000 genes; the density follows --library-size). Behind the threshold of
# `--compute auto` (docs/performance.md). About 2 minutes; not run in CI.
#   usage: bench/compute_crossover.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source bench/median_epoch.sh
echo "| library size | nonzero | model | sparse epoch (s) | dense epoch (s) |"
echo "|---|---|---|---|---|"
for library in 200 500 1000 2000 5000 10000; do
  file=$tmp/sim-$library.h5ad
  build/scgrad simulate "$file" --cells 5000 --genes 4000 --seed 1 --library-size "$library" \
    --cell-types Astrocytes,Glioblasts > /dev/null
  density=$(build/scgrad inspect "$file" | grep -o -E '[0-9.]+ % of entries' | head -1)
  for model in logistic mlp; do
    for compute in sparse dense; do
      build/scgrad train "$file" --classes Astrocytes,Glioblasts --model "$model" \
        --compute "$compute" --test-fraction 0 --batch-size 0 --lr 1e-4 --epochs 10 \
        --weight-decay 0 --metrics-out "$tmp/$compute.json" > /dev/null 2>&1
    done
    echo "| $library | $density | $model | $(median_epoch "$tmp/sparse.json") |" \
         "$(median_epoch "$tmp/dense.json") |"
  done
done
