#include "scgrad/model/input_linear.hpp"

#include <algorithm>

#include "scgrad/error.hpp"

namespace scgrad {

InputLinearImpl::InputLinearImpl(std::int64_t inputs, std::int64_t outputs)
    : torch::nn::LinearImpl(torch::nn::LinearOptions(inputs, outputs)) {}

torch::Tensor InputLinearImpl::apply(const ModelBatch& batch) {
  if (!batch.is_sparse()) return forward(batch.dense);
  if (!mean_.defined()) {
    throw OptionError(
        "the model was given sparse cells without the scaling to fold in "
        "(set_input_scaling)");
  }
  if (!cap_.defined() || batch.sparse.values_capped) {
    return sparse_scaled_linear(batch.sparse, weight, bias, mean_, sd_);
  }
  // Implicit zeros scale to -mean/sd <= 0: only stored values can reach the cap.
  auto capped = batch.sparse;
  capped.values = torch::minimum(capped.values, cap_.index_select(0, capped.indices));
  return sparse_scaled_linear(capped, weight, bias, mean_, sd_);
}

void InputLinearImpl::set_scaling(torch::Tensor mean, torch::Tensor sd, double max_value) {
  mean_ = std::move(mean);
  sd_ = std::move(sd);
  cap_ = max_value > 0 ? value_caps(mean_, sd_, max_value) : torch::Tensor();
}

torch::Tensor value_caps(const torch::Tensor& mean, const torch::Tensor& sd, double max_value) {
  return mean + max_value * sd;
}

void cap_stored_values(CsrMatrix& matrix, const torch::Tensor& caps) {
  const auto cap = caps.contiguous();
  const auto* by_gene = cap.data_ptr<float>();
  for (std::size_t k = 0; k < matrix.data.size(); ++k) {
    matrix.data[k] = std::min(matrix.data[k], by_gene[matrix.indices[k]]);
  }
}

}  // namespace scgrad
