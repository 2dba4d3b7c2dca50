#!/usr/bin/env bash
# The atlas benchmark file (20,000 cells x 20,000 genes, ~10 % nonzero, two classes), simulated
# once into $TMPDIR (default /tmp) and reused; prints its path. The file the shell benchmarks
# share (bench/atlas_benchmark.py simulates the same one).
#
# usage: file=$(bench/atlas_file.sh SCGRAD_BINARY)
set -euo pipefail
file=${TMPDIR:-/tmp}/scgrad-bench-20000x20000.h5ad
if [[ ! -f $file ]]; then
  "$1" simulate "$file" --cells 20000 --genes 20000 --seed 1 --library-size 2500 \
    --cell-types Astrocytes,Glioblasts >/dev/null
fi
echo "$file"
