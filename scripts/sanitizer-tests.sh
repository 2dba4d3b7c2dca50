#!/usr/bin/env bash
# The whole test suite once more, built with AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc, -O2 -g): memory errors and undefined behaviour in scgrad's code fail the tests.
# libtorch and libhdf5 are Debian's uninstrumented builds. Compiled through ccache when present
# (scripts/compiler-cache.sh), so only a changed file compiles again.
#   usage: scripts/sanitizer-tests.sh       (after scripts/install-deps.sh --test)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/compiler-cache.sh
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCGRAD_PYTHON=OFF "${compiler_launcher[@]}" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
# A failed build fails the script (its errors are shown); warnings are shown either way.
if ! cmake --build build-sanitize -j"$(nproc)" > build-sanitize/build.log 2>&1; then
  grep -E -A3 "error" build-sanitize/build.log | head -60
  echo "sanitizers (ASan + UBSan): the build failed; see build-sanitize/build.log"
  exit 1
fi
grep -E "warning" build-sanitize/build.log || true
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
set +e
ctest --test-dir build-sanitize --output-on-failure --no-tests=error -j"$(nproc)" \
  > build-sanitize/ctest.log 2>&1
status=$?
set -e
grep -E "Failed|\*\*\*|Sanitizer|runtime error" build-sanitize/ctest.log || true
echo "sanitizers (ASan + UBSan): $(grep -E 'tests passed' build-sanitize/ctest.log)"
exit $status
