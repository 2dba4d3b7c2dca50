#!/usr/bin/env bash
# What the model selection costs: wall time and peak memory of `scgrad train` with its defaults
# on a simulated 100,000-cell file whose types differ in size (so the class weights are chosen
# too: 8 types from 40 % down to 1 %, 2,000 genes), for each binary given (e.g. this build and
# an older one), with the settings tried and chosen.
#
# usage: bench/selection_time.sh SCGRAD_BINARY [SCGRAD_BINARY ...]
set -euo pipefail
cd "$(dirname "$0")/.."
(($# > 0)) || set -- build/scgrad
file=${TMPDIR:-/tmp}/scgrad-bench-100000x2000-rare.h5ad
if [[ ! -f $file ]]; then
  "$1" simulate "$file" --cells 100000 --genes 2000 --seed 7 --cell-types A,B,C,D,E,F,G,H \
    --proportions 0.4,0.2,0.15,0.1,0.07,0.04,0.03,0.01 --marker-fold 2 --markers-per-type 10 \
    >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| binary | wall (s) | peak (GB) | settings tried | chosen | held-out accuracy | macro-F1 |"
echo "|---|---|---|---|---|---|---|"
for scgrad in "$@"; do
  /usr/bin/time -f "%e %M" -o "$out/time" "$scgrad" train "$file" --classes all \
    --metrics-out "$out/m.json" --out "$out/model.h5" >"$out/log" 2>&1
  read -r wall kb <"$out/time"
  summary=$(/usr/bin/python3 -c "
import json; m = json.load(open('$out/m.json')); s = m['selection']; f = m['final']
print(len(s['candidates']), '|', 'weight decay %.3g, %s' % (s['weight_decay'], s['class_weight']),
      '| %.4f | %.4f' % (f['test_accuracy'], f['test_macro_f1']))")
  printf '| %s | %.1f | %.2f | %s |\n' "$scgrad" "$wall" "$(awk "BEGIN{print $kb / 1048576}")" "$summary"
done
