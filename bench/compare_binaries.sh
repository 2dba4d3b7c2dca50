#!/usr/bin/env bash
# Wall time of two scgrad binaries on the atlas benchmark file (20,000 cells x 20,000 genes,
# ~10 % nonzero, two classes; the file bench/atlas_benchmark.py and default_training_time.sh
# use), runs alternating so that both see the same machine state:
#   exercise: the exercise's settings (no split, full batch, Adam lr 1e-4, 10 epochs), as
#             bench/atlas_benchmark.py runs them;
#   default:  every option as shipped (validation, weight-decay selection, retrain, refit).
#
# usage: [SETTINGS="exercise default"] [MODELS="logistic mlp"] \
#          bench/compare_binaries.sh OLD_BINARY NEW_BINARY [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1
new=$2
runs=${3:-3}
file=$(bench/atlas_file.sh "$new")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
exercise=(--test-fraction 0 --batch-size 0 --lr 1e-4 --epochs 10 --weight-decay 0)
wall() {  # binary, settings, model → seconds
  local extra=()
  [[ $2 == exercise ]] && extra=("${exercise[@]}")
  /usr/bin/time -f "%e" -o "$out/time" "$1" train "$file" --classes Astrocytes,Glioblasts \
    --model "$3" "${extra[@]}" --out "$out/model.h5" >"$out/log" 2>&1
  cat "$out/time"
}
echo "| settings | model | old (s) | new (s) | new / old |"
echo "|---|---|---|---|---|"
for settings in ${SETTINGS:-exercise default}; do
  for model in ${MODELS:-logistic mlp}; do
    o=() n=()
    for ((r = 1; r <= runs; r++)); do
      o+=("$(wall "$old" $settings $model)")
      n+=("$(wall "$new" $settings $model)")
    done
    median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
    mo=$(median "${o[@]}")
    mn=$(median "${n[@]}")
    printf '| %s | %s | %s (median of %s) | %s (median of %s) | %.3f |\n' "$settings" "$model" \
      "$mo" "${o[*]}" "$mn" "${n[*]}" "$(awk "BEGIN{print $mn / $mo}")"
  done
done
