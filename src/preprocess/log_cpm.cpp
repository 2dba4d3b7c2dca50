#include "scgrad/preprocess/log_cpm.hpp"

#include <cmath>

#include "scgrad/error.hpp"

namespace scgrad {

std::vector<double> library_sizes(const CsrMatrix& counts) {
  std::vector<double> sizes(static_cast<std::size_t>(counts.n_rows), 0.0);
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    for (auto k = counts.indptr[r]; k < counts.indptr[r + 1]; ++k) sizes[r] += counts.data[k];
  }
  return sizes;
}

LogCpmResults log_cpm(CsrMatrix counts, const std::vector<double>& library_size,
                      const LogCpmOptions& options) {
  if (static_cast<std::int64_t>(library_size.size()) != counts.n_rows) {
    throw Error("log_cpm: one library size per cell is needed");
  }
  const double log_divisor = options.log_base > 0 ? std::log(options.log_base) : 1.0;
  LogCpmResults out;
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    if (!(library_size[static_cast<std::size_t>(r)] > 0)) out.empty_cells.push_back(r);
  }
  // Rows are independent: one log1p per stored entry, shared among the cores.
#pragma omp parallel for schedule(static, 256)
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const double size = library_size[static_cast<std::size_t>(r)];
    const double factor = size > 0 ? options.target_sum / size : 0.0;  // empty cell: all zero
    for (auto k = counts.indptr[r]; k < counts.indptr[r + 1]; ++k) {
      counts.data[k] = static_cast<float>(std::log1p(counts.data[k] * factor) / log_divisor);
    }
  }
  out.values = std::move(counts);
  return out;
}

}  // namespace scgrad
