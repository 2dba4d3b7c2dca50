#!/usr/bin/env bash
# Approximate against exact neighbours on a simulated query's PCA (bench/neighbour_search/):
# faiss's inverted-file index (scgrad's, above --exact-neighbours-up-to cells) and hnswlib's
# HNSW graph, timed, with recall@10 against the exact search on subsamples; the exact search's
# time against faiss's gives the switch point. The query (CELLS x 2,000 genes, a batch of the
# 8 default types) is simulated once into ${TMPDIR:-/tmp} and reused. Not run in CI: ~6 minutes
# for 1,000,000 cells (the simulation ~4 more, ~6.5 GB of disk).
#   usage: bench/neighbour_search.sh [CELLS] [SUBSAMPLE ...]
set -euo pipefail
cd "$(dirname "$0")/.."
cells=${1:-1000000}
shift || true
query=${TMPDIR:-/tmp}/scgrad-bench-query-${cells}x2000.h5ad
[[ -f $query ]] || build/scgrad simulate "$query" --cells "$cells" --genes 2000 --seed 1 \
  --batch-seed 2 >/dev/null
build/neighbour_search "$query" ${@:-10000 20000 50000 100000}
