#!/usr/bin/env bash
# Fuzzes scgrad's h5ad, model-file and Matrix Market readers for a bounded time with libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer (Debian's clang), and prints executions and crashes per target.
#   usage: fuzz/run_fuzzers.sh [SECONDS_PER_TARGET]     (default 60)
# Seeds: small .h5ad files written by Debian's anndata (tests/python/write_fixtures.py), the
# malformed corpus (tests/python/malformed_corpus.py) and the anndata-format fixtures in
# data/anndata-formats. Corpus and crash files go to ${TMPDIR:-/tmp}; a crash
# is kept there as crash-* (rerun: build-fuzz/fuzz/TARGET FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=build-fuzz
work=${TMPDIR:-/tmp}/scgrad-fuzz
mkdir -p "$work"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" \
  -DSCGRAD_WITH_TORCH=OFF -DSCGRAD_FUZZ=ON -DSCGRAD_BUILD_TESTS=OFF > "$work/cmake.log"
cmake --build "$build" -j"$(nproc)" > "$work/build.log"

seeds=$work/seeds
if [[ ! -d $seeds ]]; then
  mkdir -p "$seeds"
  /usr/bin/python3 tests/python/write_fixtures.py "$seeds/fixtures" > /dev/null
  /usr/bin/python3 tests/python/malformed_corpus.py build/scgrad --keep "$seeds/malformed" \
    > /dev/null 2>&1 || true  # needs build/scgrad for its model cases; the files are what count
  mkdir -p "$seeds/formats"
  find data/anndata-formats -name '*.h5ad' -size -2M -exec cp {} "$seeds/formats/" \;
  find "$seeds" -type f \( -name '*.h5ad' -o -name '*.h5' \) -size -2M > "$work/seed-files.txt"
  mkdir -p "$seeds/flat"
  i=0
  while read -r f; do cp "$f" "$seeds/flat/seed$((i++))"; done < "$work/seed-files.txt"
fi

# Where a problem input fails: the first stack frame that is in scgrad's sources or in libhdf5
# (frames in the C/C++ runtime and the sanitizers are skipped). For a leak or an out-of-memory
# report the stack is the allocation's. Debian's HDF5 1.10 has known crashes on damaged files;
# the scgrad program turns those into one error line (install_reading_guard).
classify() {
  local report
  report=$(timeout 120 "$build/fuzz/$1" -timeout=10 -rss_limit_mb=2048 "$2" 2>&1 || true)
  local frame
  frame=$(grep -E '^ +#[0-9]+ 0x' <<< "$report" |
    grep -E "libhdf5|$PWD/(src|include)/" | grep -v '/fuzz/' | head -1)
  if [[ -z $frame ]]; then
    echo "not reproduced"
  elif grep -q 'libhdf5' <<< "$frame"; then
    echo "in libhdf5: $(grep -o -E ' in [A-Za-z0-9_]+' <<< "$frame" | head -1 | cut -c5-)"
  else
    echo "in scgrad: $(grep -o -E "$PWD/[^ ]+" <<< "$frame" | head -1 | sed "s|$PWD/||")"
  fi
}

status=0
echo "| target | seconds | executions | problem inputs | in scgrad's code | in libhdf5 | not reproduced |"
echo "|---|---|---|---|---|---|---|"
# Matrix Market seeds: small coordinate files as Cell Ranger and scipy write them.
mtx_seeds=$work/seeds-mtx
mkdir -p "$mtx_seeds"
printf '%%%%MatrixMarket matrix coordinate integer general\n%% written by Cell Ranger\n3 2 3\n1 1 4\n3 1 1\n2 2 7\n' \
  > "$mtx_seeds/integer.mtx"
printf '%%%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 0.5\n2 2 1e3\n' > "$mtx_seeds/real.mtx"
printf '%%%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n' > "$mtx_seeds/pattern.mtx"

targets="h5ad_bytes_fuzzer h5ad_structure_fuzzer model_structure_fuzzer matrix_market_fuzzer"
for target in $targets; do
  seed_dir=$seeds/flat
  [[ $target == matrix_market_fuzzer ]] && seed_dir=$mtx_seeds
  corpus=$work/corpus-$target
  artifacts=$work/artifacts-$target/
  rm -rf "$artifacts" "$work/$target.problems"
  mkdir -p "$corpus" "$artifacts"
  touch "$work/$target.problems"
  log=$work/$target.log
  # Fork mode keeps going after a problem (inside libhdf5 they are expected), keeping each input
  # (crash-*, leak-*, oom-*, timeout-*). -rss_limit_mb: a file that makes the reader allocate
  # gigabytes counts as a problem.
  "$build/fuzz/$target" "$corpus" "$seed_dir" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
    -ignore_ooms=1 -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts" -close_fd_mask=3 > "$log" 2>&1 || true
  runs=$(grep -o -E '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  inputs=0 ours=0 hdf5=0 unknown=0
  for artifact in "$artifacts"*; do
    [[ -e $artifact ]] || continue
    inputs=$((inputs + 1))
    where=$(classify "$target" "$artifact")
    case $where in
      "in scgrad"*) ours=$((ours + 1)) ;;
      "in libhdf5"*) hdf5=$((hdf5 + 1)) ;;
      *) unknown=$((unknown + 1)) ;;
    esac
    name=$(basename "$artifact")
    echo "${name%%-*} $where ($name)" >> "$work/$target.problems"
  done
  echo "| $target | $seconds | ${runs:-0} | $inputs | $ours | $hdf5 | $unknown |"
  if ((ours > 0)); then status=1; fi
done
for target in $targets; do
  if [[ -s $work/$target.problems ]]; then
    echo "$target, by kind and place (count, one example input):"
    sed -E 's/ \((.*)\)$/|\1/' "$work/$target.problems" | sort |
      awk -F'|' '{n[$1]++; ex[$1]=$2} END {for (k in n) printf "  %3d  %s  (%s)\n", n[k], k, ex[k]}' |
      sort -rn
  fi
done
echo "inputs kept in $work/artifacts-*; reproduce one with $build/fuzz/TARGET FILE"
exit $status
