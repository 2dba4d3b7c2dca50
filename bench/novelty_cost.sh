#!/usr/bin/env bash
# What the novelty score costs (issue 30): `scgrad train` on the glia subset (its doubt is
# calibrated with 5 cross-fitted runs) and on a simulated 20,000-cell file (enough validation
# cells: none), and `scgrad predict` of that file with and without novelty scores, in memory
# and streamed (--max-memory 20M: the query is read twice), with the model file's /novelty size.
#
# usage: bench/novelty_cost.sh [SCGRAD_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
scgrad=${1:-build/scgrad}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
big=$out/sim-20000x3000.h5ad
"$scgrad" simulate "$big" --cells 20000 --genes 3000 --seed 1 >/dev/null
timed() {  # label, command...: a table row of wall time and peak memory
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$out/time" "$@" >"$out/log" 2>&1
  read -r wall kb <"$out/time"
  printf '| %s | %.1f | %.0f |\n' "$label" "$wall" "$(awk "BEGIN{print $kb / 1024}")"
}
echo "| run | wall (s) | peak (MB) |"
echo "|---|---|---|"
timed "train, glia subset (253 cells)" "$scgrad" train data/darmanis2015_glia_subset.h5ad \
  --classes all --out "$out/glia.h5"
grep -o "novelty reference.*" "$out/log" | sed 's/^/  /' >&2
timed "train, 20,000 simulated cells" "$scgrad" train "$big" --classes all --out "$out/big.h5"
grep -o "novelty reference.*" "$out/log" | sed 's/^/  /' >&2
for memory in "" "--max-memory 20M"; do
  for novelty in "" "--no-novelty"; do
    # shellcheck disable=SC2086
    timed "predict 20,000 cells ${memory:-in memory} ${novelty:-with novelty}" \
      "$scgrad" predict "$out/big.h5" "$big" --csv "$out/p.csv" $memory $novelty
  done
done
/usr/bin/python3 - "$out/glia.h5" "$out/big.h5" <<'PY'
import sys, h5py
for path in sys.argv[1:]:
    with h5py.File(path) as f:
        g = f["novelty"]
        size = sum(g[k].id.get_storage_size() for k in g)
        k, n = g["type_rates"].shape
        print(f"/novelty of {path.split('/')[-1]}: {k} classes x {n} genes, {size / 1e3:.0f} kB stored "
              f"(rates 4 bytes x classes x genes, quantiles 2 x 4 x 1,001 per class)")
PY
