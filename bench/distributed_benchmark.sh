#!/usr/bin/env bash
# Data-parallel training on this machine: 1 process (2 threads) against `scgrad launch --nproc 2`
# (2 ranks of 1 thread) on the 20,000 x 20,000 benchmark file in memory, Adam, minibatches of
# 1,024 and full batch, 3 epochs (median epoch); and the Gloo all-reduce of one step's gradient
# buffer over loopback (torch.distributed in Debian's python3-torch: the same Gloo), for the
# logistic model's 20,001 floats and the two-layer model's 1,000,153. ~4 minutes; not in CI.
#   usage: bench/distributed_benchmark.sh [SCGRAD]
set -euo pipefail
cd "$(dirname "$0")/.."
scgrad=${1:-build/scgrad}
file=$(bench/atlas_file.sh "$scgrad")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source bench/median_epoch.sh
echo "| model | batch | 1 process, 2 threads (s/epoch) | 2 ranks, 1 thread each (s/epoch) | ratio |"
echo "|---|---|---|---|---|"
for model in logistic mlp; do
  for batch in 1024 0; do
    options=(train "$file" --classes Astrocytes,Glioblasts --model "$model" --optimizer adam
             --batch-size "$batch" --epochs 3 --test-fraction 0 --validation-fraction 0
             --weight-decay 0 --lr 1e-3)
    "$scgrad" "${options[@]}" --threads 2 --metrics-out "$tmp/one.json" > /dev/null 2>&1
    "$scgrad" launch --nproc 2 --master-port 29712 -- "${options[@]}" --threads 1 \
      --metrics-out "$tmp/two.json" > /dev/null 2>&1
    one=$(median_epoch "$tmp/one.json")
    two=$(median_epoch "$tmp/two.json")
    echo "| $model | $([[ $batch == 0 ]] && echo full || echo $batch) | $one | $two | $(/usr/bin/python3 -c "print('%.2f' % ($two / $one))") |"
  done
done
echo
echo "| floats all-reduced | MB | ms per all-reduce (2 ranks, loopback, median of 50) |"
echo "|---|---|---|"
/usr/bin/python3 bench/gloo_allreduce.py
