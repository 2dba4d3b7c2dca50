#!/usr/bin/env bash
# Thread scaling of an in-memory epoch on the 20,000 x 20,000 benchmark file (~10 % nonzero,
# sparse first layer): median epoch seconds with --threads 1 and 2 (torch, OpenMP and
# OpenBLAS), full batch and minibatches of 128, logistic and two-layer. ~3 minutes; not in CI.
#   usage: bench/thread_scaling.sh [SCGRAD] [THREADS...]
set -euo pipefail
cd "$(dirname "$0")/.."
scgrad=${1:-build/scgrad}
shift || true
threads=("${@:-1 2}")
read -r -a threads <<<"${threads[*]}"
file=$(bench/atlas_file.sh "$scgrad")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source bench/median_epoch.sh
header="| model | batch |"
rule="|---|---|"
for t in "${threads[@]}"; do header+=" $t thread(s) (s) |"; rule+="---|"; done
echo "$header ratio |"
echo "$rule---|"
for model in logistic mlp; do
  for batch in 0 128; do
    row="| $model | $([[ $batch == 0 ]] && echo full || echo $batch) |"
    first=""
    last=""
    for t in "${threads[@]}"; do
      "$scgrad" train "$file" --classes Astrocytes,Glioblasts --model "$model" --compute sparse \
        --test-fraction 0 --validation-fraction 0 --batch-size "$batch" --epochs 5 --lr 1e-4 \
        --weight-decay 0 --optimizer adam --threads "$t" --metrics-out "$tmp/m.json" \
        >/dev/null 2>&1
      seconds=$(median_epoch "$tmp/m.json")
      row+=" $seconds |"
      [[ -z $first ]] && first=$seconds
      last=$seconds
    done
    echo "$row $(/usr/bin/python3 -c "print('%.2f' % ($last / $first))") |"
  done
done
