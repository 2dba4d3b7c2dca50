#!/usr/bin/env bash
# When does majority voting help? Simulated references and queries (same types, another batch)
# with markers from weak to strong: the over-clusters' purity (share of cells in their
# cluster's most common true type), and the accuracy of the per-cell labels and of the voted
# labels (Heterogeneous counts as wrong); and, as a scanpy-like reference, the share of each
# cell's 10 nearest neighbours of its own type in scikit-learn's 50-component PCA of the
# query's scaled log1p CPM (Debian has no scanpy). The first columns use the exact neighbour
# graph (--exact-neighbours-up-to the query's cells); the last two vote over clusters of
# the approximate neighbour graph (--exact-neighbours-up-to 0: k-means lists, what queries
# above 20,000 cells get; below ~4,000 cells it probes every list and finds the exact graph,
# so QUERY_CELLS=30000 compares them where they differ). ~1 minute (3,000 cells).
#   usage: [QUERY_CELLS=N] bench/majority_vote_accuracy.sh [SCGRAD]
set -euo pipefail
cd "$(dirname "$0")/.."
scgrad=${1:-build/scgrad}
query_cells=${QUERY_CELLS:-3000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "| marker fold | clusters | purity | per-cell accuracy | voted accuracy | scikit-learn kNN same type | approximate graph: clusters | voted accuracy |"
echo "|---|---|---|---|---|---|---|---|"
for fold in 1.6 2 2.5 6; do
  "$scgrad" simulate "$dir/r.h5ad" --cells 2000 --genes 400 --seed 1 --marker-fold "$fold" >/dev/null
  "$scgrad" simulate "$dir/q.h5ad" --cells "$query_cells" --genes 400 --seed 1 --marker-fold "$fold" \
    --batch-seed 2 >/dev/null
  "$scgrad" train "$dir/r.h5ad" --classes all --out "$dir/m.h5" >/dev/null 2>&1
  "$scgrad" predict "$dir/m.h5" "$dir/q.h5ad" --majority-vote --annotations-only "$dir/a.h5ad" \
    --exact-neighbours-up-to "$query_cells" >/dev/null 2>&1
  "$scgrad" predict "$dir/m.h5" "$dir/q.h5ad" --majority-vote --annotations-only "$dir/b.h5ad" \
    --exact-neighbours-up-to 0 >/dev/null 2>&1
  /usr/bin/python3 - "$dir" "$fold" <<'PY'
import sys, anndata, numpy as np, pandas as pd
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
d, fold = sys.argv[1:]
obs = anndata.read_h5ad(f"{d}/a.h5ad").obs
truth = anndata.read_h5ad(f"{d}/q.h5ad").obs["author_cell_type"].astype(str).values
table = pd.crosstab(obs["scgrad_over_cluster"], truth)
purity = table.max(axis=1).sum() / table.values.sum()
per_cell = (obs["scgrad_label"].astype(str).values == truth).mean()
voted = (obs["scgrad_majority_label"].astype(str).values == truth).mean()
query = anndata.read_h5ad(f"{d}/q.h5ad")
counts = query.X.toarray()
log = np.log1p(counts / counts.sum(1, keepdims=True) * 1e4)
scores = PCA(50, random_state=0).fit_transform((log - log.mean(0)) / (log.std(0) + 1e-12))
near = NearestNeighbors(n_neighbors=11).fit(scores).kneighbors(scores, return_distance=False)
same = (truth[near[:, 1:]] == truth[:, None]).mean()
approximate = anndata.read_h5ad(f"{d}/b.h5ad").obs
clusters_b = approximate["scgrad_over_cluster"].nunique()
voted_b = (approximate["scgrad_majority_label"].astype(str).values == truth).mean()
print(f"| {fold} | {len(table)} | {purity:.3f} | {per_cell:.3f} | {voted:.3f} | {same:.3f} | {clusters_b} | {voted_b:.3f} |")
PY
done
