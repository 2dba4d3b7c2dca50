#!/usr/bin/env bash
# What CI costs, cold and warm: clones HEAD twice into fresh folders (each with ../shared beside
# it, as CI lays it out) and runs `bash .ci/run` with CI=true in one after the other. The second
# run finds the first one's objects in ccache (scripts/compiler-cache.sh); both times are printed
# (README.md "Tests" and docs/performance.md quote them).
#   usage: bench/ci_twice.sh [SHARED_DIR]     (default: ../shared beside this clone)
set -euo pipefail
cd "$(dirname "$0")/.."
shared=$(realpath "${1:-../shared}")
head=$(git rev-parse HEAD)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
for run in 1 2; do
  dir=$root/run$run
  mkdir -p "$dir"
  ln -s "$shared" "$dir/shared"
  git clone -q "$PWD" "$dir/main"
  git -C "$dir/main" checkout -q "$head"
  start=$(date +%s)
  if ! (cd "$dir/main" && CI=true bash .ci/run < /dev/null > "$dir/ci.log" 2>&1); then
    tail -40 "$dir/ci.log"
    echo "run $run of .ci/run failed"
    exit 1
  fi
  seconds=$(($(date +%s) - start))
  echo "run $run: $seconds s ($((seconds / 60)) min $((seconds % 60)) s); its closing lines:"
  grep -E "tests passed|sanitizers" "$dir/ci.log" | sed 's/^/  /'
done
echo "commit $head"
