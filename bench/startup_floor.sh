#!/usr/bin/env bash
# What loading LibTorch costs before scgrad does anything: the wall time of an empty program
# linked with Debian's libtorch (its ~290 shared libraries are mapped and relocated, BIND_NOW,
# and its static initialisers register the operators), against `scgrad --version`. The median
# of 7 runs of each. The floor of every scgrad run, and of the exercise's speed-up over Python
# (bench/atlas_benchmark.py). ~10 s; not run in CI.
#   usage: bench/startup_floor.sh [SCGRAD]
set -euo pipefail
cd "$(dirname "$0")/.."
scgrad=${1:-build/scgrad}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo 'int main() { return 0; }' >"$tmp/empty.cpp"
g++ "$tmp/empty.cpp" -o "$tmp/empty_torch" -Wl,--no-as-needed -ltorch_cpu -lc10 -ltorch
median() {  # COMMAND...: median wall seconds of 7 runs
  for _ in 1 2 3 4 5 6 7; do
    /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1
  done | sort -n | sed -n 4p
}
echo "| program | wall (median of 7) | shared libraries |"
echo "|---|---|---|"
echo "| empty main linked with libtorch | $(median "$tmp/empty_torch") s | $(ldd "$tmp/empty_torch" | wc -l) |"
echo "| scgrad --version | $(median "$scgrad" --version) s | $(ldd "$scgrad" | wc -l) |"
