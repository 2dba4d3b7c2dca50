#!/usr/bin/env bash
# predict on the atlas file of bench/streaming_benchmark.sh (1,000,000 cells x 20,000 genes,
# ~16 GB; simulated there if missing) with a logistic model trained on the 20,000-cell
# benchmark file (the same genes): wall time and peak memory of the per-cell labels, and of
# --majority-vote with each stage's time (scgrad's --metrics-out: the PCA's fit and projection,
# the neighbour graph, Leiden; the rest is reading, labelling, novelty and writing). The query
# is read in blocks under the default --max-memory (half the machine's memory); annotations-only
# output. Needs ~17 GB free in ${TMPDIR:-/tmp}. Not run in CI (~6 minutes with a warm cache).
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
echo "| predict | wall (s) | peak RSS (GB) | PCA (s) | neighbours (s) | Leiden (s) | clusters |"
echo "|---|---|---|---|---|---|---|"
for vote in no yes; do
  extra=()
  [[ $vote == yes ]] && extra=(--majority-vote)
  /usr/bin/time -f "%e %M" -o "$tmp/time" build/scgrad predict "$tmp/model.h5" "$atlas" \
    --annotations-only "$tmp/labels.h5ad" --metrics-out "$tmp/m.json" "${extra[@]}" \
    >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
  read -r wall kb <"$tmp/time"
  stages=$(/usr/bin/python3 -c "
import json; o = json.load(open('$tmp/m.json')).get('over_clustering')
print(f\"{o['pca_seconds']:.1f} | {o['neighbour_seconds']:.1f} | {o['leiden_seconds']:.1f} | {o['clusters']}\" if o else ' | | ')")
  label=$([[ $vote == yes ]] && echo "--majority-vote" || echo "per-cell labels")
  gb=$(/usr/bin/python3 -c "print(f'{$kb / 1048576:.2f}')")
  printf '| %s | %s | %s | %s |\n' "$label" "$wall" "$gb" "$stages"
done
