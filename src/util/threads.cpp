#include "scgrad/util/threads.hpp"

#include <ATen/Parallel.h>
#include <omp.h>

namespace scgrad {

void set_compute_threads(int threads) {
  at::set_num_threads(threads);
  omp_set_num_threads(threads);
}

}  // namespace scgrad
