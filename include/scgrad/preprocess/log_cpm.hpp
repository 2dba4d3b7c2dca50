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

/// One cell's log-CPM: count -> log(1 + count * target_sum / library_size) / log(base), computed
/// in double and stored as float32 (0 for every count of an empty cell, never NaN). Most
/// stored counts are small integers, so their values are computed once per cell (the same
/// expression: the same bits) instead of one log1p per entry.
class LogCpmRow {
 public:
  LogCpmRow(double library_size, const LogCpmOptions& options);
  /// Replaces each of the cell's `n` counts by its log-CPM.
  void apply(float* counts, std::int64_t n) const;

 private:
  static constexpr int kTabulated = 32;  // tabulated_blocks (log_cpm.cpp) picks from 32
  void apply_entries(float* counts, std::int64_t n) const;  // one entry at a time
  float computed(float count) const;
  double factor_;
  double log_divisor_;
  float table_[kTabulated];
};

/// The total of `n` values in double, added in order (a different order changes the last bits
/// for non-integer amounts, and with them the numbers of models already saved).
double values_total(const float* values, std::int64_t n);

/// Each row's total (the library size over the matrix's columns).
std::vector<double> library_sizes(const CsrMatrix& counts);

/// The cells whose library size is not > 0 (0 or NaN): their log-CPM is all zero.
std::vector<std::int64_t> empty_cells_of(const std::vector<double>& library_size);

struct LogCpmResults {
  CsrMatrix values;                       ///< same sparsity pattern as the counts
  std::vector<std::int64_t> empty_cells;  ///< rows with library size 0: left all-zero, never NaN
};

/// Normalises every row by its library size and log-transforms. Computed in double, stored
/// as float32 like the exercise's tensors.
LogCpmResults log_cpm(CsrMatrix counts, const std::vector<double>& library_size,
                      const LogCpmOptions& options = {});

}  // namespace scgrad
