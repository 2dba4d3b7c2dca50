#pragma once
/// @file filter_genes.hpp
/// Step 2: drop genes with few reads among the selected cells.

#include <cstdint>
#include <vector>

#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

struct GeneFilterOptions {
  double min_counts = 10;      ///< keep genes whose total count over the cells is >= this
  std::int64_t min_cells = 0;  ///< ... and that are detected (count > 0) in >= this many cells
};

struct GeneFilterResults {
  std::vector<std::int64_t> kept;            ///< column numbers of kept genes, ascending
  std::vector<double> totals;                ///< total count of every gene (all columns)
  std::vector<std::int64_t> cells_detected;  ///< cells with count > 0, for every gene
};

/// Totals and detection per gene, over blocks of rows read one after another (the streaming
/// pass) or one matrix (filter_genes): the same sums in the same order either way.
class GeneFilterAccumulator {
 public:
  explicit GeneFilterAccumulator(std::int64_t n_genes);
  void add(const CsrMatrix& counts);
  void add_row(const CsrMatrix& counts, std::int64_t row);
  /// `rows` of `counts` in that order (each row's columns ascending), the cores sharing the
  /// genes: the sums of add_row over the same rows, bit for bit.
  void add_rows(const CsrMatrix& counts, const std::vector<std::int64_t>& rows);
  /// The genes that pass both thresholds, with every gene's totals.
  GeneFilterResults finish(const GeneFilterOptions& options) const;

  /// Adds the sums of other rows (another data-parallel rank's, merged in rank order).
  void merge(const GeneFilterAccumulator& other);
  /// The sums as numbers (totals, then detection counts), and back: what ranks exchange.
  std::vector<double> values() const;
  static GeneFilterAccumulator from_values(const std::vector<double>& values);

 private:
  GeneFilterResults sums_;
  void add_value(std::size_t gene, float count) {
    sums_.totals[gene] += count;
    sums_.cells_detected[gene] += count > 0 ? 1 : 0;
  }
};

/// Decides which genes (columns of `counts`) pass both thresholds.
GeneFilterResults filter_genes(const CsrMatrix& counts, const GeneFilterOptions& options = {});

}  // namespace scgrad
