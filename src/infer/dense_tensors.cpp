#include "scgrad/infer/dense_tensors.hpp"

namespace scgrad {

torch::Tensor to_dense_tensor(const CsrMatrix& matrix, const torch::Device& device) {
  auto x = torch::zeros({matrix.n_rows, matrix.n_cols}, torch::kFloat32);
  auto* out = x.data_ptr<float>();
  for (std::int64_t r = 0; r < matrix.n_rows; ++r) {
    for (auto k = matrix.indptr[r]; k < matrix.indptr[r + 1]; ++k) {
      out[r * matrix.n_cols + matrix.indices[k]] = matrix.data[k];
    }
  }
  return x.to(device);
}

ScalingTensors fit_scaling(const torch::Tensor& x) {
  auto m = x.mean(/*dim=*/0, /*keepdim=*/true);
  auto s = x.std(/*dim=*/0, /*unbiased=*/false, /*keepdim=*/true);
  s.masked_fill_(s == 0, 1.0);
  return {m, s};
}

torch::Tensor apply_scaling(torch::Tensor x, const ScalingTensors& stats) {
  x -= stats.mean;
  x /= stats.sd;
  if (stats.max_value > 0) x.clamp_max_(stats.max_value);
  return x;
}

torch::Tensor scale(torch::Tensor x) { return apply_scaling(x, fit_scaling(x)); }

}  // namespace scgrad
