#include "scgrad/preprocess/filter_genes.hpp"

namespace scgrad {

GeneFilterAccumulator::GeneFilterAccumulator(std::int64_t n_genes) {
  sums_.totals.assign(static_cast<std::size_t>(n_genes), 0.0);
  sums_.cells_detected.assign(static_cast<std::size_t>(n_genes), 0);
}

void GeneFilterAccumulator::add_row(const CsrMatrix& counts, std::int64_t row) {
  for (auto k = counts.indptr[row]; k < counts.indptr[row + 1]; ++k) {
    const auto gene = static_cast<std::size_t>(counts.indices[k]);
    sums_.totals[gene] += counts.data[k];
    if (counts.data[k] > 0) ++sums_.cells_detected[gene];
  }
}

void GeneFilterAccumulator::add(const CsrMatrix& counts) {
  for (std::int64_t r = 0; r < counts.n_rows; ++r) add_row(counts, r);
}

GeneFilterResults GeneFilterAccumulator::finish(const GeneFilterOptions& options) const {
  GeneFilterResults out = sums_;
  for (std::size_t g = 0; g < out.totals.size(); ++g) {
    if (out.totals[g] >= options.min_counts && out.cells_detected[g] >= options.min_cells) {
      out.kept.push_back(static_cast<std::int64_t>(g));
    }
  }
  return out;
}

GeneFilterResults filter_genes(const CsrMatrix& counts, const GeneFilterOptions& options) {
  GeneFilterAccumulator sums(counts.n_cols);
  sums.add(counts);
  return sums.finish(options);
}

}  // namespace scgrad
