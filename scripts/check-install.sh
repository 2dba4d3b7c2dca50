#!/usr/bin/env bash
# Installs the build into a temporary prefix, builds examples/consumer against it with
# find_package(scgrad) (a separate CMake project, as a user's program), and runs it on a
# simulated reference and a query batch of it: its last line must be "accuracy X" with X >= 0.9.
# Run by ctest (consumer_install).
# With PYTHON "with-python" (the build has the module), the installed Python package must import
# and train; with "without-python" (the sanitizer build) the run says it was not checked.
#   usage: scripts/check-install.sh BUILD_DIR PYTHON [CXX_FLAGS [LINKER_FLAGS]]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "$1")
python=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cmake -S examples/consumer -B "$work/consumer" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="${3:-}" \
  -DCMAKE_EXE_LINKER_FLAGS="${4:-}" > "$work/configure.log" || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
echo "installed $(find "$work/prefix" -type f | wc -l) files; consumer built against $work/prefix"
scgrad=$work/prefix/bin/scgrad
"$scgrad" simulate "$work/reference.h5ad" --cells 1500 --genes 300 --seed 1 > /dev/null
"$scgrad" simulate "$work/query.h5ad" --cells 500 --genes 300 --seed 1 --batch-seed 2 > /dev/null
"$work/consumer/scgrad_consumer" "$work/reference.h5ad" "$work/query.h5ad" "$work/model.h5" \
  | tee "$work/out.txt"
last=$(tail -1 "$work/out.txt")
[[ $last =~ ^accuracy\ ([0-9.]+)$ ]] || { echo "last line is not 'accuracy X': $last"; exit 1; }
awk -v a="${BASH_REMATCH[1]}" 'BEGIN { exit !(a >= 0.9) }' ||
  { echo "accuracy ${BASH_REMATCH[1]} is below 0.9"; exit 1; }
# The installed Python package (not in the sanitizer build, which leaves the module out).
module=$(find "$work/prefix" -name '_scgrad*.so' | head -1)
if [[ $python == without-python ]]; then
  echo "installed Python package: not checked (this build has no Python module)"
elif [[ -z $module ]]; then
  echo "the build has the Python module, but cmake --install put no _scgrad*.so in the prefix"
  exit 1
else
  PYTHONPATH=$(dirname "$(dirname "$module")") /usr/bin/python3 -c "
import anndata, scgrad
model = scgrad.train(anndata.read_h5ad('$work/reference.h5ad'), classes='all', epochs=2)
print('installed Python package: trained', len(model.classes), 'classes')"
fi
echo "check-install: ok"
