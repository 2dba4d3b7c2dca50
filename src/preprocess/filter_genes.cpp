#include "scgrad/preprocess/filter_genes.hpp"

namespace scgrad {

GeneFilterResults filter_genes(const CsrMatrix& counts, const GeneFilterOptions& options) {
  GeneFilterResults out;
  const auto n = static_cast<std::size_t>(counts.n_cols);
  out.totals.assign(n, 0.0);
  out.cells_detected.assign(n, 0);
  for (std::size_t k = 0; k < counts.data.size(); ++k) {
    const auto gene = static_cast<std::size_t>(counts.indices[k]);
    out.totals[gene] += counts.data[k];
    if (counts.data[k] > 0) ++out.cells_detected[gene];
  }
  for (std::size_t g = 0; g < n; ++g) {
    if (out.totals[g] >= options.min_counts && out.cells_detected[g] >= options.min_cells) {
      out.kept.push_back(static_cast<std::int64_t>(g));
    }
  }
  return out;
}

}  // namespace scgrad
