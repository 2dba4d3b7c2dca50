#!/usr/bin/env bash
# predict on the atlas file of bench/streaming_benchmark.sh (1,000,000 cells x 20,000 genes,
# ~16 GB; simulated there if missing) with a logistic model trained on the 20,000-cell
# benchmark file (the same genes): wall time and peak memory, the query read in blocks under
# the default --max-memory (half the machine's memory), the annotations-only output.
# Needs ~17 GB free in ${TMPDIR:-/tmp}; ~3 minutes with a cold page cache. Not run in CI.
#   usage: bench/predict_atlas.sh [CELLS]
set -euo pipefail
cd "$(dirname "$0")/.."
cells=${1:-1000000}
atlas=${TMPDIR:-/tmp}/scgrad-bench-${cells}x20000.h5ad
[[ -f $atlas ]] || build/scgrad simulate "$atlas" --cells "$cells" --genes 20000 --seed 1 \
  --library-size 2500 --cell-types Astrocytes,Glioblasts >/dev/null
reference=$(bench/atlas_file.sh build/scgrad)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build/scgrad train "$reference" --classes Astrocytes,Glioblasts --out "$tmp/model.h5" >/dev/null 2>&1
/usr/bin/time -f "wall %e s, peak %M KB, %P CPU" build/scgrad predict "$tmp/model.h5" "$atlas" \
  --annotations-only "$tmp/labels.h5ad" 2>&1 | grep -E "blocks of|wall"
