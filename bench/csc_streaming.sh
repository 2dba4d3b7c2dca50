#!/usr/bin/env bash
# Streamed training from a CSC file (X stored by gene, as some pipelines write it) and from the
# same matrix stored as CSR: wall time and peak memory of two scgrad binaries. Each streamed
# chunk reads rows; a CSC row block needs a scan of X/indices (every stored entry) to find its
# entries, and reads only their values (before issue 12: all of X/data and X/indices, each
# chunk). Not run in CI (~5 minutes).
#   usage: bench/csc_streaming.sh OLD_BINARY NEW_BINARY [CELLS]
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1
new=$2
cells=${3:-50000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$new" simulate "$dir/csr.h5ad" --cells "$cells" --genes 2000 --seed 3 >/dev/null
/usr/bin/python3 - "$dir" <<'PY'
import sys, anndata
a = anndata.read_h5ad(f"{sys.argv[1]}/csr.h5ad")
a.X = a.X.tocsc()
a.write_h5ad(f"{sys.argv[1]}/csc.h5ad")
print(f"{a.n_obs} cells x {a.n_vars} genes, {a.X.nnz:,} stored entries")
PY
echo "| storage | binary | wall (s) | peak RSS (MB) |"
echo "|---|---|---|---|"
for storage in csr csc; do
  for binary in old new; do
    exe=$old
    [[ $binary == new ]] && exe=$new
    /usr/bin/time -f "%e %M" -o "$dir/time" "$exe" train "$dir/$storage.h5ad" --classes all \
      --epochs 2 --max-memory 64M --out "$dir/model.h5" >"$dir/log" 2>&1
    grep -q "streamed\|streaming" "$dir/log" || { echo "not streamed:"; cat "$dir/log"; exit 1; }
    read -r wall kb <"$dir/time"
    printf '| %s | %s | %s | %d |\n' "$storage" "$binary" "$wall" $((kb / 1024))
  done
done
