#pragma once
// `--threads N` of the commands that compute: 0 (the default) uses every core the process may
// run on (its CPU affinity and cgroup quota).

#include <CLI/CLI.hpp>

namespace scgrad::app {

void add_threads_option(CLI::App* command, int& threads);

/// Sets the compute threads (torch, OpenMP, OpenBLAS) to `requested`, or to every available
/// core when it is 0; returns the number set.
int use_threads(int requested);

/// The threads for the path the library chose, out of `threads`. A streamed input prepares
/// the next chunk on a thread of its own, so the model computes on one core fewer (on two
/// cores, two computing threads and the reader made a streamed logistic epoch 1.5–1.8× slower
/// than one computing thread: OpenMP's waiting threads spin on the reader's core,
/// docs/performance.md). OpenBLAS gets one thread for a model whose first layer is sparse (its
/// dense products are small, and its waiting threads would compete with LibTorch's) and the
/// computing threads for a dense one.
void use_path_threads(int threads, bool sparse_path, bool streamed);

}  // namespace scgrad::app
