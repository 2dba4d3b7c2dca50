#!/usr/bin/env bash
# Data-parallel training at atlas scale on this 2-core machine: the 1,000,000 x 20,000 file of
# bench/streaming_benchmark.sh (16 GB, streamed with --max-memory 2G) trained by 1 process with
# 2 threads against `scgrad launch --nproc 2` (2 ranks of 1 thread; each reads its share of the
# preparation passes, of every chunk and of every evaluation). Per model: the two preparation
# passes, the median epoch, the whole run, the largest process's peak memory, and the held-out
# accuracy. The recommended defaults (validation split, held-out 1 %) with one weight decay
# (the grid's first, ~1/n) so that each run trains one candidate. Warm page cache (the file is
# read once before timing). Needs the file (~17 GB, made on first use, ~6 minutes) and ~60
# minutes; not in CI.
#   usage: bench/distributed_atlas.sh [BATCH_SIZES]   (default "128 1024")
set -euo pipefail
cd "$(dirname "$0")/.."
scgrad=build/scgrad
file=${TMPDIR:-/tmp}/scgrad-bench-1000000x20000.h5ad
[[ -f $file ]] || MODELS=none bench/streaming_benchmark.sh 1000000 0 > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source bench/median_epoch.sh
cat "$file" > /dev/null  # warm the page cache: both runs read from memory
field() {  # field JSON KEY...: a number from the metrics file
  /usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in sys.argv[2:]: d = d[k]
print("%.4f" % d if isinstance(d, float) else d)' "$@"
}
echo "| model | batch | run | preparation passes (s) | s/epoch (median of 2) | whole run (s) | peak RSS (GB) | held-out accuracy |"
echo "|---|---|---|---|---|---|---|---|"
for batch in ${1:-128 1024}; do
  for model in logistic mlp; do
    options=(train "$file" --classes Astrocytes,Glioblasts --model "$model" --epochs 2
             --batch-size "$batch" --max-memory 2G --test-fraction 0.01 --weight-decay 1e-6
             --metrics-out "$tmp/m.json")
    for run in "1 process, 2 threads" "2 ranks, 1 thread each"; do
      if [[ $run == 1* ]]; then
        command=("$scgrad" "${options[@]}" --threads 2)
      else
        command=("$scgrad" launch --nproc 2 --master-port 29713 -- "${options[@]}" --threads 1)
      fi
      /usr/bin/time -f "%e %M" -o "$tmp/time" "${command[@]}" > /dev/null 2> "$tmp/err"
      passes=$(grep -oE "two streaming passes[^0-9]*[0-9.]+ ?s" "$tmp/err" | grep -oE "[0-9.]+ ?s$" | tr -d ' s' || true)
      read -r wall rss < "$tmp/time"
      echo "| $model | $batch | $run | ${passes:-?} | $(median_epoch "$tmp/m.json") | $wall | $(/usr/bin/python3 -c "print('%.2f' % ($rss / 1048576))") | $(field "$tmp/m.json" evaluation accuracy) |"
    done
  done
done
