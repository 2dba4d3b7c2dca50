#include "scgrad/model/input_linear.hpp"

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
  return sparse_scaled_linear(batch.sparse, weight, bias, mean_, sd_);
}

void InputLinearImpl::set_scaling(torch::Tensor mean, torch::Tensor sd) {
  mean_ = std::move(mean);
  sd_ = std::move(sd);
}

}  // namespace scgrad
