#pragma once
/// @file threads.hpp
/// The threads scgrad computes with: torch's intra-op pool (dense layers, the sparse kernels)
/// and OpenMP's (log-CPM, count checks). Process-wide, so only a program's main sets it
/// (`--threads`); the library itself never does. Debian's OpenBLAS follows
/// OPENBLAS_NUM_THREADS, read when the process starts (docs/performance.md).

namespace scgrad {

void set_compute_threads(int threads);

}  // namespace scgrad
