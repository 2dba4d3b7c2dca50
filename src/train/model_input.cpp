#include "scgrad/train/model_input.hpp"

#include <numeric>

#include "scgrad/train/sparse_linear.hpp"

namespace scgrad {

void append_batches(const std::vector<std::int64_t>& cells, std::int64_t batch_size,
                    std::vector<std::vector<std::int64_t>>& batches) {
  const auto step = static_cast<std::size_t>(batch_size);
  for (std::size_t start = 0; start < cells.size(); start += step) {
    const auto end = std::min(cells.size(), start + step);
    batches.emplace_back(cells.begin() + static_cast<long>(start),
                         cells.begin() + static_cast<long>(end));
  }
}

std::vector<std::vector<std::int64_t>> ModelInput::epoch_batches(Random& random,
                                                                 std::int64_t batch_size) const {
  std::vector<std::int64_t> order(static_cast<std::size_t>(rows()));
  std::iota(order.begin(), order.end(), 0);
  random.shuffle(order);
  std::vector<std::vector<std::int64_t>> batches;
  append_batches(order, batch_size, batches);
  return batches;
}

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
  return model.forward_after_first(sparse_scaled_linear(x, first->weight, first->bias, mean_, sd_));
}

}  // namespace scgrad
