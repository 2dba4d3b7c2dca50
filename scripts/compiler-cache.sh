#!/usr/bin/env bash
# Sourced by the build scripts: compile through Debian's ccache when it is installed. The cache
# stays outside the clone (ccache's default, ~/.cache/ccache) and paths inside the clone are
# hashed relative to it, so a fresh clone in another folder (CI) reuses what an earlier build of
# the same sources compiled. Sets `compiler_launcher`: the CMake options to pass (none without
# ccache).
compiler_launcher=()
if command -v ccache > /dev/null; then
  CCACHE_BASEDIR=$(git rev-parse --show-toplevel 2> /dev/null || pwd -P)
  export CCACHE_BASEDIR
  export CCACHE_NOHASHDIR=true   # -g builds (the sanitizer build) would hash the build folder
  compiler_launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
