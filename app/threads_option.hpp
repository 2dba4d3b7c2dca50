#pragma once
// `--threads N` of the commands that compute: 0 (the default) uses every core the process may
// run on (its CPU affinity and cgroup quota).

#include <CLI/CLI.hpp>

namespace scgrad::app {

void add_threads_option(CLI::App* command, int& threads);

/// Sets the compute threads (torch, OpenMP, OpenBLAS) to `requested`, or to every available
/// core when it is 0; returns the number set.
int use_threads(int requested);

/// OpenBLAS's threads for a model whose first layer is sparse (one: its dense products are
/// small, and OpenBLAS's waiting threads would compete with LibTorch's) or dense (`threads`).
void use_blas_threads(int threads, bool sparse_path);

}  // namespace scgrad::app
