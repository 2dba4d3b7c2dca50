#!/usr/bin/env bash
# Installs the Debian 12 packages scgrad needs. Idempotent: when everything is
# present it only checks and exits. `--test` adds what the test suite needs
# (Debian's PyTorch, anndata, h5py and scikit-learn for the reference checks).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  ccache                 # compiles once: a fresh clone reuses the cache (scripts/compiler-cache.sh)
  libtorch-dev
  libopenblas0-pthread   # without it libtorch falls back to reference BLAS (~30x slower)
  libhdf5-dev liblzf-dev zlib1g-dev
  hdf5-filter-plugin-blosc-serial   # reads blosc-compressed .h5ad (lzf is built in)
  libcli11-dev nlohmann-json3-dev libfmt-dev
  libigraph-dev          # Leiden over-clustering (predict --majority-vote)
  libfaiss-dev           # approximate neighbours of large queries (predict --majority-vote)
  libhnswlib-dev         # the other approximate-neighbour library, compared in bench/
  libgloo-dev            # data-parallel training (c10d's Gloo process group)
  pybind11-dev python3-dev   # the Python module (import scgrad)
  python3-numpy python3-pandas python3-scipy python3-anndata   # what the module's package imports
  gnuplot-nox            # --plot
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(libgtest-dev libgmock-dev time python3-numpy python3-scipy python3-torch python3-anndata python3-h5py python3-sklearn python3-pytest
             g++-aarch64-linux-gnu)   # the sparse kernels must compile for aarch64
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
