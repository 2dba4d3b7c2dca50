#!/usr/bin/env bash
# predict --majority-vote on a simulated query: the over-clustering's stages (PCA, kNN graph,
# Leiden) timed by scgrad itself (--metrics-out), and wall time and peak memory of predict with
# and without it. A reference of 5,000 cells trains a logistic model; the query is a batch of
# the same reference (--batch-seed) of CELLS cells. Not run in CI (~2 minutes for 100,000).
#   usage: bench/over_clustering.sh [CELLS] [GENES] [SCGRAD]
set -euo pipefail
cd "$(dirname "$0")/.."
cells=${1:-100000}
genes=${2:-2000}
scgrad=${3:-build/scgrad}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$scgrad" simulate "$dir/ref.h5ad" --cells 5000 --genes "$genes" --seed 1 >/dev/null
"$scgrad" simulate "$dir/query.h5ad" --cells "$cells" --genes "$genes" --seed 1 --batch-seed 2 >/dev/null
"$scgrad" train "$dir/ref.h5ad" --classes all --out "$dir/ref.h5" >/dev/null 2>&1
echo "query: $cells cells x $genes genes; model: logistic, $genes genes, 8 classes"
echo
echo "| predict | wall (s) | peak RSS (MB) | PCA (s) | kNN (s) | Leiden (s) | clusters | resolution |"
echo "|---|---|---|---|---|---|---|---|"
for vote in no yes; do
  extra=()
  [[ $vote == yes ]] && extra=(--majority-vote)
  /usr/bin/time -f "%e %M" -o "$dir/time" "$scgrad" predict "$dir/ref.h5" "$dir/query.h5ad" \
    --metrics-out "$dir/m.json" "${extra[@]}" >/dev/null 2>&1
  read -r wall kb <"$dir/time"
  if [[ $vote == yes ]]; then
    stages=$(/usr/bin/python3 -c "
import json; o = json.load(open('$dir/m.json'))['over_clustering']
print(f\"{o['pca_seconds']:.1f} | {o['neighbour_seconds']:.1f} | {o['leiden_seconds']:.1f} | {o['clusters']} | {o['resolution']:g}\")")
    printf '| --majority-vote | %s | %d | %s |\n' "$wall" $((kb / 1024)) "$stages"
  else
    printf '| per-cell labels only | %s | %d | | | | | |\n' "$wall" $((kb / 1024))
  fi
done
