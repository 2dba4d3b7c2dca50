#pragma once
/// @file threads.hpp
/// The threads scgrad computes with: torch's intra-op pool (dense layers, the sparse kernels),
/// OpenMP's (log-CPM, count checks) and OpenBLAS's (dense products). Process-wide, so only a
/// program's main sets them (`--threads`); the library itself never does.

namespace scgrad {

/// The cores this process may run on: its CPU affinity mask, capped by a cgroup CPU quota
/// (cgroup v2 cpu.max or v1 cpu.cfs_quota_us, rounded up), at least 1. LibTorch's own default
/// (at::get_num_threads) reports 1 on some machines with more.
int available_cores();

/// Sets all three pools to `threads`. OpenBLAS's is set through openblas_set_num_threads when
/// the BLAS loaded is OpenBLAS (torch::set_num_threads does not reach Debian's); otherwise it
/// follows OPENBLAS_NUM_THREADS / OMP_NUM_THREADS read at start. OptionError below 1.
void set_compute_threads(int threads);

/// OpenBLAS's pool alone. The sparse path's dense products are small (a minibatch × the hidden
/// units): there OpenBLAS's threads, which spin while they wait, only take the cores from
/// LibTorch's and OpenMP's (a two-layer epoch in minibatches of 128 took 1.9 s with two
/// OpenBLAS threads and 1.2 s with one, docs/performance.md), so scgrad gives OpenBLAS one
/// thread when the first layer is sparse and all of them for the dense path's large products.
void set_blas_threads(int threads);

}  // namespace scgrad
