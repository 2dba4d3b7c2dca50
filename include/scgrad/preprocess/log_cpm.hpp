#pragma once
/// @file log_cpm.hpp
/// Steps 3–4: library sizes and log-CPM, `log(1 + x * target_sum / library_size)`.

#include <cstdint>
#include <vector>

#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

struct LogCpmOptions {
  double target_sum = 1e6;  ///< counts per million by default
  double log_base = 0;      ///< 0 means natural log (numpy's log1p); else e.g. 2 or 10
};

/// Each row's total (the library size over the matrix's columns).
std::vector<double> library_sizes(const CsrMatrix& counts);

struct LogCpmResults {
  CsrMatrix values;                       ///< same sparsity pattern as the counts
  std::vector<std::int64_t> empty_cells;  ///< rows with library size 0: left all-zero, never NaN
};

/// Normalises every row by its library size and log-transforms. Computed in double, stored
/// as float32 like the exercise's tensors.
LogCpmResults log_cpm(CsrMatrix counts, const std::vector<double>& library_size,
                      const LogCpmOptions& options = {});

}  // namespace scgrad
