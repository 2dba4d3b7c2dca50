#!/usr/bin/env bash
# Compiles the files with AVX2 kernels (the sparse products, the log-CPM and library sizes) for
# aarch64 with Debian's cross compiler, warnings as errors: they must build on ARM servers and
# Apple silicon, where only their portable kernels exist. Run by ctest (kernels_compile_for_aarch64); exits 77 (ctest:
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
compile() {  # FILE SYMBOL: compiles FILE for aarch64 and finds its portable SYMBOL in it
  "$compiler" -std=c++17 -O2 -Wall -Wextra -Werror -fopenmp -Iinclude -c "$1" -o "$object"
  readelf -h "$object" | grep -q "AArch64" || { echo "$1: not an aarch64 object"; exit 1; }
  local symbols
  symbols=$(nm -C "$object")  # (not piped into grep -q: its early exit fails the pipe)
  grep -q "$2" <<<"$symbols" || { echo "$1: portable kernel $2 missing"; exit 1; }
  if grep -q -i "avx" <<<"$symbols"; then echo "$1: x86 kernels in an aarch64 object"; exit 1; fi
  echo "$1 compiles for aarch64 ($("$compiler" -dumpversion)): portable kernels only"
}
compile src/model/sparse_kernels.cpp rows_times_dense_portable
compile src/preprocess/log_cpm.cpp "LogCpmRow::apply"
