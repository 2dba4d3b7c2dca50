#pragma once
/// @file cpu_features.hpp
/// Which vector instructions this CPU has, asked once. The kernels with AVX2 variants (the
/// log-CPM and library sizes, the sparse products) choose at run time, so that one binary
/// runs on any x86-64; elsewhere (aarch64) only their portable versions are built
/// (scripts/check-aarch64-kernels.sh compiles those files for aarch64).

#if defined(__x86_64__) || defined(__i386__)
#define SCGRAD_X86_KERNELS 1
#include <immintrin.h>
#else
#define SCGRAD_X86_KERNELS 0
#endif

namespace scgrad {

inline bool has_avx2() {
#if SCGRAD_X86_KERNELS
  static const bool supported = __builtin_cpu_supports("avx2");
  return supported;
#else
  return false;
#endif
}

inline bool has_avx2_fma() {
#if SCGRAD_X86_KERNELS
  static const bool supported = has_avx2() && __builtin_cpu_supports("fma");
  return supported;
#else
  return false;
#endif
}

}  // namespace scgrad
