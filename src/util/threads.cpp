#include "scgrad/util/threads.hpp"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

/// The CPU quota of the process's cgroup in cores (rounded up), or 0 without one.
int cgroup_quota_cores() {
  // cgroup v2: "max 100000" (no quota) or "200000 100000".
  std::ifstream v2("/sys/fs/cgroup/cpu.max");
  std::string quota;
  double period = 0;
  if (v2 >> quota >> period) {
    if (quota == "max" || period <= 0) return 0;
    return static_cast<int>(std::ceil(std::stod(quota) / period));
  }
  std::ifstream v1_quota("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
  std::ifstream v1_period("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  double q = 0;
  if (v1_quota >> q && v1_period >> period && q > 0 && period > 0) {
    return static_cast<int>(std::ceil(q / period));
  }
  return 0;
}

}  // namespace

int available_cores() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  int cores = sched_getaffinity(0, sizeof mask, &mask) == 0 ? CPU_COUNT(&mask) : 1;
  if (const auto quota = cgroup_quota_cores(); quota > 0) cores = std::min(cores, quota);
  return std::max(cores, 1);
}

void set_compute_threads(int threads) {
  if (threads < 1) {
    throw OptionError("the number of threads must be at least 1, got " + std::to_string(threads),
                      {"threads"});
  }
  at::set_num_threads(threads);
  omp_set_num_threads(threads);
  set_blas_threads(threads);
}

void set_blas_threads(int threads) {
  using SetThreads = void (*)(int);
  if (auto* openblas =
          reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    openblas(threads);
  }
}

}  // namespace scgrad
