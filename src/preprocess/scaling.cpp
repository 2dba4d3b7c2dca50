#include "scgrad/preprocess/scaling.hpp"

#include <cmath>

namespace scgrad {

ScalingStats compute_scaling(const CsrMatrix& values) {
  const auto n_genes = static_cast<std::size_t>(values.n_cols);
  const auto n = static_cast<double>(values.n_rows);
  ScalingStats out;
  out.mean.assign(n_genes, 0.0);
  out.sd.assign(n_genes, 0.0);
  std::vector<std::int64_t> stored(n_genes, 0);
  for (std::size_t k = 0; k < values.data.size(); ++k) {
    out.mean[static_cast<std::size_t>(values.indices[k])] += values.data[k];
    ++stored[static_cast<std::size_t>(values.indices[k])];
  }
  for (auto& m : out.mean) m = n > 0 ? m / n : 0.0;
  // Two passes (mean first, then squared deviations) so a constant gene gets exactly 0.
  std::vector<double> squares(n_genes, 0.0);
  for (std::size_t k = 0; k < values.data.size(); ++k) {
    const auto g = static_cast<std::size_t>(values.indices[k]);
    const double d = values.data[k] - out.mean[g];
    squares[g] += d * d;
  }
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
