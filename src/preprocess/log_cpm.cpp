#include "scgrad/preprocess/log_cpm.hpp"

#include <algorithm>
#include <cmath>

#include "scgrad/error.hpp"

namespace scgrad {

double values_total(const float* values, std::int64_t n) {
  // In order, one addition after another: the library sizes saved models were fitted with,
  // non-integer amounts included.
  double total = 0;
  for (std::int64_t k = 0; k < n; ++k) total += values[k];
  return total;
}

std::vector<double> library_sizes(const CsrMatrix& counts) {
  std::vector<double> sizes(static_cast<std::size_t>(counts.n_rows), 0.0);
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    sizes[static_cast<std::size_t>(r)] = values_total(counts.data.data() + counts.indptr[r],
                                                      counts.indptr[r + 1] - counts.indptr[r]);
  }
  return sizes;
}

LogCpmRow::LogCpmRow(double library_size, const LogCpmOptions& options)
    : factor_(library_size > 0 ? options.target_sum / library_size : 0.0),
      log_divisor_(options.log_base > 0 ? std::log(options.log_base) : 1.0) {
  for (int c = 0; c < kTabulated; ++c) table_[c] = computed(static_cast<float>(c));
}

float LogCpmRow::computed(float count) const {
  return static_cast<float>(std::log1p(count * factor_) / log_divisor_);
}

void LogCpmRow::apply(float* counts, std::int64_t n) const {
  for (std::int64_t k = 0; k < n; ++k) {
    const float count = counts[k];
    // The table's entry when the count is a whole number below kTabulated (without a branch:
    // clamped, converted and compared back), else the expression itself (rare).
    const int c = static_cast<int>(std::min(std::max(0.0F, count), kTabulated - 1.0F));
    const bool tabulated = static_cast<float>(c) == count;
    counts[k] =
        __builtin_expect(static_cast<long>(tabulated), 1) != 0 ? table_[c] : computed(count);
  }
}

std::vector<std::int64_t> empty_cells_of(const std::vector<double>& library_size) {
  std::vector<std::int64_t> empty;
  for (std::size_t r = 0; r < library_size.size(); ++r) {
    if (!(library_size[r] > 0)) empty.push_back(static_cast<std::int64_t>(r));
  }
  return empty;
}

LogCpmResults log_cpm(CsrMatrix counts, const std::vector<double>& library_size,
                      const LogCpmOptions& options) {
  if (static_cast<std::int64_t>(library_size.size()) != counts.n_rows) {
    throw OptionError("log_cpm: one library size per cell is needed");
  }
  LogCpmResults out;
  out.empty_cells = empty_cells_of(library_size);
  // Rows are independent and shared among the cores.
#pragma omp parallel for schedule(static, 256)
  for (std::int64_t r = 0; r < counts.n_rows; ++r) {
    const LogCpmRow transform(library_size[static_cast<std::size_t>(r)], options);
    transform.apply(counts.data.data() + counts.indptr[r], counts.indptr[r + 1] - counts.indptr[r]);
  }
  out.values = std::move(counts);
  return out;
}

}  // namespace scgrad
