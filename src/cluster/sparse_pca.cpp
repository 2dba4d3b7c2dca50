#include "scgrad/cluster/sparse_pca.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>

namespace scgrad {

namespace {

/// A = (X − 1 μᵀ) S for CSR X, S = diag(inverse_sd) and μ the cells' mean of X: its products
/// with dense matrices, from sparse products and rank-one corrections.
struct CentredScaled {
  const CsrTensors& x;
  torch::Tensor s;     ///< genes
  torch::Tensor mean;  ///< genes: the column means of X S

  /// A · V (cells × l) for V (genes × l).
  torch::Tensor times(const torch::Tensor& v) const {
    const auto scaled = (v * s.unsqueeze(1)).contiguous();
    return csr_times_dense(x, scaled) - mean.matmul(v).unsqueeze(0);
  }
  /// Aᵀ · Y (genes × l) for Y (cells × l).
  torch::Tensor transpose_times(const torch::Tensor& y) const {
    return csr_transpose_times_dense(x, y.contiguous()) * s.unsqueeze(1) -
           mean.unsqueeze(1) * y.sum(0).unsqueeze(0);
  }
};

torch::Tensor orthonormal_basis(const torch::Tensor& m) {
  return std::get<0>(torch::linalg_qr(m, "reduced"));
}

}  // namespace

torch::Tensor sparse_pca(const CsrTensors& log_cpm, const torch::Tensor& inverse_sd,
                         const SparsePcaOptions& options) {
  const auto cells = log_cpm.n_rows;
  const auto genes = log_cpm.n_cols;
  const auto k = std::min({options.components, cells - 1, genes - 1});
  if (k < 1) return torch::zeros({cells, 0});
  const auto ones = torch::ones({cells, 1});
  const auto column_sums = csr_transpose_times_dense(log_cpm, ones).squeeze(1);
  const CentredScaled a{log_cpm, inverse_sd, column_sums * inverse_sd / static_cast<float>(cells)};
  const auto width = std::min(k + options.oversampling, std::min(cells, genes));
  auto generator = at::detail::createCPUGenerator(options.seed);
  auto q = orthonormal_basis(a.times(torch::randn({genes, width}, generator)));
  for (int i = 0; i < options.power_iterations; ++i) {
    q = orthonormal_basis(a.transpose_times(q));
    q = orthonormal_basis(a.times(q));
  }
  const auto b = a.transpose_times(q).t();  // Qᵀ A (width × genes)
  const auto [u, sigma, vt] = torch::linalg_svd(b, /*full_matrices=*/false);
  return (q.matmul(u.narrow(1, 0, k)) * sigma.narrow(0, 0, k)).contiguous();
}

}  // namespace scgrad
