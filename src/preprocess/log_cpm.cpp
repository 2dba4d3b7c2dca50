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
    throw OptionError("log_cpm: one library size per cell is needed");
  }
  const double log_divisor = options.log_base > 0 ? std::log(options.log_base) : 1.0;
  LogCpmResults out;
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    if (!(library_size[static_cast<std::size_t>(r)] > 0)) out.empty_cells.push_back(r);
  }
  // Rows are independent and shared among the cores. Most stored counts are small integers,
  // so each row's values for counts 1..kTabulated-1 are computed once (the same expression,
  // so the same bits) instead of one log1p per entry.
  constexpr int kTabulated = 32;
#pragma omp parallel for schedule(static, 256)
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const double size = library_size[static_cast<std::size_t>(r)];
    const double factor = size > 0 ? options.target_sum / size : 0.0;  // empty cell: all zero
    auto transform = [&](float count) {
      return static_cast<float>(std::log1p(count * factor) / log_divisor);
    };
    float table[kTabulated];
    for (int c = 0; c < kTabulated; ++c) table[c] = transform(static_cast<float>(c));
    for (auto k = counts.indptr[r]; k < counts.indptr[r + 1]; ++k) {
      const float count = counts.data[k];
      const bool tabulated =
          count >= 0 && count < kTabulated && count == static_cast<float>(static_cast<int>(count));
      counts.data[k] = tabulated ? table[static_cast<int>(count)] : transform(count);
    }
  }
  out.values = std::move(counts);
  return out;
}

}  // namespace scgrad
