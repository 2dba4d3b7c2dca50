#!/usr/bin/env bash
# Compiles the sparse kernels (src/model/sparse_kernels.cpp) for aarch64 with Debian's cross
# compiler, warnings as errors: the file must build on ARM servers and Apple silicon, where
# only its portable kernels exist. Run by ctest (kernels_compile_for_aarch64); exits 77 (ctest:
# skipped) when g++-aarch64-linux-gnu is not installed (scripts/install-deps.sh --test does), and
# fails instead under CI=true, where install-deps.sh --test has run and a skip would hide a gap.
set -euo pipefail
cd "$(dirname "$0")/.."
compiler=aarch64-linux-gnu-g++
if ! command -v "$compiler" > /dev/null; then
  echo "skipped: $compiler is not installed (apt-get install g++-aarch64-linux-gnu)"
  [[ ${CI:-} == true ]] && { echo "CI=true: a skipped test fails"; exit 1; }
  exit 77
fi
object=$(mktemp --suffix=.o)
trap 'rm -f "$object"' EXIT
"$compiler" -std=c++17 -O2 -Wall -Wextra -Werror -c src/model/sparse_kernels.cpp -o "$object"
readelf -h "$object" | grep -q "AArch64" || { echo "not an aarch64 object"; exit 1; }
nm -C "$object" | grep -q "rows_times_dense_portable" || { echo "portable kernels missing"; exit 1; }
echo "sparse_kernels.cpp compiles for aarch64 ($("$compiler" -dumpversion)): portable kernels only"
