#pragma once
/// @file scaling.hpp
/// Step 5: per-gene mean and population SD, computed on the sparse matrix.

#include <cstdint>
#include <vector>

#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

struct ScalingStats {
  std::vector<double> mean;
  std::vector<double> sd;           ///< population SD (divide by n); a gene with SD 0 gets 1
  std::int64_t constant_genes = 0;  ///< genes whose SD was 0
};

/// Per-gene mean and population SD over rows given in order, in blocks of any size: each gene's
/// stored values are folded in one at a time in row order (Welford), and its implicit zeros are
/// merged at the end in closed form (Chan et al.). The result depends only on the rows and
/// their order — not on block sizes or threads — so the in-memory and the streamed preparation
/// give bit-identical statistics, and a constant gene's mean is exactly its value (SD 0,
/// stored as 1: it scales to exactly 0).
class ScalingAccumulator {
 public:
  explicit ScalingAccumulator(std::int64_t n_genes);
  void add_row(const CsrMatrix& values, std::int64_t row);
  void add(const CsrMatrix& values);  ///< every row, in order
  /// `rows` of `values` in that order (each row's columns ascending), the cores sharing the
  /// genes: the numbers of add_row over the same rows, bit for bit.
  void add_rows(const CsrMatrix& values, const std::vector<std::int64_t>& rows);
  ScalingStats finish() const;

  /// Adds the statistics of rows that follow (another data-parallel rank's, merged in rank
  /// order): Chan et al.'s pairwise update of each gene's stored values. Equal to adding the
  /// rows one by one up to rounding; a constant gene stays exactly constant.
  void merge(const ScalingAccumulator& other);
  /// The state as numbers (rows, then count, mean and M2 of every gene), and back.
  std::vector<double> values() const;
  static ScalingAccumulator from_values(const std::vector<double>& values);

 private:
  std::int64_t rows_ = 0;
  std::vector<std::int64_t> count_;  ///< stored values seen per gene
  std::vector<double> mean_;         ///< of the stored values
  std::vector<double> m2_;           ///< their summed squared deviations
  void add_value(std::size_t gene, double value);
};

/// Mean and SD of every column, zeros included, in double precision (a ScalingAccumulator
/// over all rows).
ScalingStats compute_scaling(const CsrMatrix& values);

}  // namespace scgrad
