#include "scgrad/preprocess/filter_genes.hpp"

#include <string>

#include "column_shares.hpp"
#include "scgrad/error.hpp"

namespace scgrad {

GeneFilterAccumulator::GeneFilterAccumulator(std::int64_t n_genes) {
  sums_.totals.assign(static_cast<std::size_t>(n_genes), 0.0);
  sums_.cells_detected.assign(static_cast<std::size_t>(n_genes), 0);
}

void GeneFilterAccumulator::add_row(const CsrMatrix& counts, std::int64_t row) {
  for (auto k = counts.indptr[row]; k < counts.indptr[row + 1]; ++k) {
    add_value(static_cast<std::size_t>(counts.indices[k]), counts.data[k]);
  }
}

void GeneFilterAccumulator::add_rows(const CsrMatrix& counts,
                                     const std::vector<std::int64_t>& rows) {
  visit_columns_shared(counts, rows, [this](std::int32_t gene, float count) {
    add_value(static_cast<std::size_t>(gene), count);
  });
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

void GeneFilterAccumulator::merge(const GeneFilterAccumulator& other) {
  if (other.sums_.totals.size() != sums_.totals.size()) {
    throw Error("gene filter: sums over " + std::to_string(other.sums_.totals.size()) +
                " genes cannot be merged with sums over " + std::to_string(sums_.totals.size()));
  }
  for (std::size_t g = 0; g < sums_.totals.size(); ++g) {
    sums_.totals[g] += other.sums_.totals[g];
    sums_.cells_detected[g] += other.sums_.cells_detected[g];
  }
}

std::vector<double> GeneFilterAccumulator::values() const {
  auto out = sums_.totals;
  out.insert(out.end(), sums_.cells_detected.begin(), sums_.cells_detected.end());
  return out;
}

GeneFilterAccumulator GeneFilterAccumulator::from_values(const std::vector<double>& values) {
  const auto n_genes = values.size() / 2;
  GeneFilterAccumulator out(static_cast<std::int64_t>(n_genes));
  for (std::size_t g = 0; g < n_genes; ++g) {
    out.sums_.totals[g] = values[g];
    out.sums_.cells_detected[g] = static_cast<std::int64_t>(values[n_genes + g]);
  }
  return out;
}

GeneFilterResults filter_genes(const CsrMatrix& counts, const GeneFilterOptions& options) {
  GeneFilterAccumulator sums(counts.n_cols);
  sums.add(counts);
  return sums.finish(options);
}

}  // namespace scgrad
