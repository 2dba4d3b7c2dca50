#!/usr/bin/env bash
# predict --majority-vote on a simulated query: the over-clustering's stages (PCA, neighbour
# graph, Leiden) timed by scgrad itself (--metrics-out), wall time and peak memory of predict
# without voting, with the default graph (approximate above 20,000 cells) and with the exact
# graph; and the accuracy of the voted labels against the simulated types, so the two graphs'
# votes can be compared. A reference of 5,000 cells trains a logistic model; the query is a
# batch of the same reference (--batch-seed) of CELLS cells. Not run in CI (~3 minutes for
# 100,000 cells).
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
echo "| predict | wall (s) | peak RSS (MB) | PCA (s) | kNN (s) | Leiden (s) | clusters | resolution | per-cell accuracy | voted accuracy |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for run in labels default exact; do
  extra=()
  [[ $run == default ]] && extra=(--majority-vote)
  [[ $run == exact ]] && extra=(--majority-vote --exact-neighbours-up-to "$cells")
  /usr/bin/time -f "%e %M" -o "$dir/time" "$scgrad" predict "$dir/ref.h5" "$dir/query.h5ad" \
    --metrics-out "$dir/m.json" --annotations-only "$dir/a.h5ad" "${extra[@]}" >/dev/null 2>&1
  read -r wall kb <"$dir/time"
  /usr/bin/python3 - "$dir" "$run" "$wall" "$kb" <<'PY'
import json, sys, anndata
d, run, wall, kb = sys.argv[1:]
o = json.load(open(f"{d}/m.json")).get("over_clustering")
obs = anndata.read_h5ad(f"{d}/a.h5ad").obs
truth = anndata.read_h5ad(f"{d}/query.h5ad", backed="r").obs["author_cell_type"].astype(str).values
per_cell = (obs["scgrad_label"].astype(str).values == truth).mean()
name = {"labels": "per-cell labels only", "default": "--majority-vote",
        "exact": "--majority-vote, exact graph"}[run]
if o is None:
    print(f"| {name} | {wall} | {int(kb) // 1024} | | | | | | {per_cell:.4f} | |")
else:
    voted = (obs["scgrad_majority_label"].astype(str).values == truth).mean()
    graph = "approximate" if o["approximate_neighbours"] else "exact"
    print(f"| {name} ({graph}) | {wall} | {int(kb) // 1024} | {o['pca_seconds']:.1f} | "
          f"{o['neighbour_seconds']:.1f} | {o['leiden_seconds']:.1f} | {o['clusters']} | "
          f"{o['resolution']:g} | {per_cell:.4f} | {voted:.4f} |")
PY
done
