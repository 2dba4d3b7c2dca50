#include "scgrad/train/model_input.hpp"

#include "scgrad/train/sparse_linear.hpp"

namespace scgrad {

torch::Tensor DenseInput::forward(ClassifierImpl& model,
                                  const std::vector<std::int64_t>* rows) const {
  if (rows == nullptr) return model.forward(x_);
  return model.forward(x_.index_select(0, torch::tensor(*rows, torch::kInt64)));
}

SparseInput::SparseInput(std::shared_ptr<const CsrMatrix> log_cpm, torch::Tensor mean,
                         torch::Tensor sd)
    : matrix_(std::move(log_cpm)), mean_(std::move(mean)), sd_(std::move(sd)) {}

torch::Tensor SparseInput::forward(ClassifierImpl& model,
                                   const std::vector<std::int64_t>* rows) const {
  const auto x = rows == nullptr ? csr_view(*matrix_) : gather_rows(*matrix_, *rows);
  auto& first = model.first_linear();
  return model.forward_after_first(
      sparse_scaled_linear(x, first->weight, first->bias, mean_, sd_));
}

}  // namespace scgrad
