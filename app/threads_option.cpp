#include "threads_option.hpp"

#include "number_checks.hpp"
#include "scgrad/util/threads.hpp"

namespace scgrad::app {

void add_threads_option(CLI::App* command, int& threads) {
  command
      ->add_option("--threads", threads,
                   "threads for torch, the sparse kernels, OpenMP and OpenBLAS; 0: every core "
                   "this process may use (CPU affinity and cgroup quota)")
      ->check(non_negative())
      ->capture_default_str();
}

int use_threads(int requested) {
  const int threads = requested > 0 ? requested : available_cores();
  set_compute_threads(threads);
  return threads;
}

void use_path_threads(int threads, bool sparse_path, bool streamed) {
  const int computing = streamed && threads > 1 ? threads - 1 : threads;
  set_compute_threads(computing);
  set_blas_threads(sparse_path ? 1 : computing);
}

}  // namespace scgrad::app
