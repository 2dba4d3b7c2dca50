#!/usr/bin/env bash
# `scgrad train` with its defaults (validation split, weight-decay and class-weight selection,
# early stopping, the refit, the model file with its novelty reference) on a simulated atlas
# file: wall time and peak memory (/usr/bin/time -v), and every line the run prints with the
# seconds since it started, so that each stage's time can be read off. Default: 1,000,000 cells
# x 20,000 genes (~16 GB, simulated once into ${TMPDIR:-/tmp}: ~15 minutes on one core), which
# the default --max-memory (half the machine's memory) streams from disk. Not run in CI.
#   usage: bench/train_atlas.sh [CELLS] [MODEL] [SCGRAD]
set -euo pipefail
cd "$(dirname "$0")/.."
cells=${1:-1000000}
model=${2:-logistic}
scgrad=${3:-build/scgrad}
file=${TMPDIR:-/tmp}/scgrad-bench-${cells}x20000.h5ad
if [[ ! -f $file ]]; then
  echo "simulating $file ..."
  "$scgrad" simulate "$file" --cells "$cells" --genes 20000 --seed 1 --library-size 2500 \
    --cell-types Astrocytes,Glioblasts >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/time -v "$scgrad" train "$file" --classes Astrocytes,Glioblasts --model "$model" \
  --out "$tmp/model.h5" --metrics-out "$tmp/metrics.json" 2>&1 |
  /usr/bin/python3 -u -c 'import sys, time
start = time.time()
for line in sys.stdin:
    print("%8.1f  %s" % (time.time() - start, line.rstrip()))'
