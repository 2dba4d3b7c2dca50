#!/usr/bin/env bash
# Wall time and peak memory of `scgrad train` with its DEFAULT settings (every option left
# as shipped) on the atlas benchmark file: 20,000 cells x 20,000 genes, ~10 % nonzero, two
# classes (the file bench/atlas_benchmark.py simulates). Each model is run RUNS times.
#
# usage: bench/default_training_time.sh [SCGRAD_BINARY] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
scgrad=${1:-build/scgrad}
runs=${2:-3}
file=$(bench/atlas_file.sh "$scgrad")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| model | run | wall (s) | peak (GB) | held-out accuracy | macro-F1 |"
echo "|---|---|---|---|---|---|"
for model in logistic mlp; do
  for ((r = 1; r <= runs; r++)); do
    /usr/bin/time -f "%e %M" -o "$out/time" "$scgrad" train "$file" --classes Astrocytes,Glioblasts \
      --model "$model" --metrics-out "$out/m.json" --out "$out/model.h5" >"$out/log" 2>&1
    read -r wall kb <"$out/time"
    read -r acc f1 < <(/usr/bin/python3 -c "
import json; m = json.load(open('$out/m.json'))['final']
print(m['test_accuracy'], m.get('test_macro_f1', float('nan')))")
    printf '| %s | %d | %.2f | %.2f | %.4f | %.4f |\n' "$model" "$r" "$wall" "$(awk "BEGIN{print $kb / 1048576}")" "$acc" "$f1"
  done
done
