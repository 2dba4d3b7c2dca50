#!/usr/bin/env bash
# Configures and builds scgrad (Release, warnings on) into ./build, through ccache when present.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/compiler-cache.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${compiler_launcher[@]}" >/dev/null
cmake --build build -j "$(nproc)"
