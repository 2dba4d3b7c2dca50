#include "scgrad/preprocess/scaling.hpp"

#include <omp.h>

#include <cmath>

namespace scgrad {

namespace {

/// Per-gene sums of f(gene, value) over the stored entries. Each thread sums its own range of
/// rows into its own array; the arrays are then added in thread order, so a given thread
/// count always gives the same result.
template <typename Term>
std::vector<double> sum_per_gene(const CsrMatrix& values, Term term) {
  const auto n_genes = static_cast<std::size_t>(values.n_cols);
  std::vector<std::vector<double>> partial(static_cast<std::size_t>(omp_get_max_threads()));
#pragma omp parallel
  {
    auto& sums = partial[static_cast<std::size_t>(omp_get_thread_num())];
    sums.assign(n_genes, 0.0);
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < values.n_rows; ++r) {
      for (auto k = values.indptr[r]; k < values.indptr[r + 1]; ++k) {
        const auto g = static_cast<std::size_t>(values.indices[k]);
        sums[g] += term(g, values.data[k]);
      }
    }
  }
  std::vector<double> total(n_genes, 0.0);
  for (const auto& sums : partial) {
    for (std::size_t g = 0; g < sums.size(); ++g) total[g] += sums[g];
  }
  return total;
}

}  // namespace

ScalingStats compute_scaling(const CsrMatrix& values) {
  const auto n_genes = static_cast<std::size_t>(values.n_cols);
  const auto n = static_cast<double>(values.n_rows);
  ScalingStats out;
  out.mean = sum_per_gene(values, [](std::size_t, float v) { return static_cast<double>(v); });
  for (auto& m : out.mean) m = n > 0 ? m / n : 0.0;
  std::vector<std::int64_t> stored(n_genes, 0);
  for (const auto g : values.indices) ++stored[static_cast<std::size_t>(g)];
  // Two passes (mean first, then squared deviations) so a constant gene gets exactly 0.
  const auto squares = sum_per_gene(values, [&](std::size_t g, float v) {
    const double d = v - out.mean[g];
    return d * d;
  });
  out.sd.assign(n_genes, 0.0);
  for (std::size_t g = 0; g < n_genes; ++g) {
    const double implicit_zeros = n - static_cast<double>(stored[g]);
    const double variance =
        n > 0 ? (squares[g] + implicit_zeros * out.mean[g] * out.mean[g]) / n : 0.0;
    out.sd[g] = std::sqrt(variance);
    if (out.sd[g] == 0.0) {
      out.sd[g] = 1.0;
      ++out.constant_genes;
    }
  }
  return out;
}

}  // namespace scgrad
