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

ConcatenatedInput::ConcatenatedInput(std::shared_ptr<const ModelInput> first,
                                     std::shared_ptr<const ModelInput> second)
    : first_(std::move(first)), second_(std::move(second)) {}

torch::Tensor ConcatenatedInput::forward(ClassifierImpl& model,
                                         const std::vector<std::int64_t>* rows) const {
  if (rows == nullptr) return torch::cat({first_->forward(model), second_->forward(model)}, 0);
  // Each part computes its own rows; the outputs are put back in the order asked for.
  const auto n_first = first_->rows();
  std::vector<std::int64_t> in_first, in_second, position_first, position_second;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const auto r = (*rows)[i];
    if (r < n_first) {
      in_first.push_back(r);
      position_first.push_back(static_cast<std::int64_t>(i));
    } else {
      in_second.push_back(r - n_first);
      position_second.push_back(static_cast<std::int64_t>(i));
    }
  }
  if (in_second.empty()) return first_->forward(model, &in_first);
  if (in_first.empty()) return second_->forward(model, &in_second);
  const auto outputs =
      torch::cat({first_->forward(model, &in_first), second_->forward(model, &in_second)}, 0);
  std::vector<std::int64_t> order(rows->size());  // output row i comes from outputs[order[i]]
  for (std::size_t k = 0; k < position_first.size(); ++k) {
    order[static_cast<std::size_t>(position_first[k])] = static_cast<std::int64_t>(k);
  }
  for (std::size_t k = 0; k < position_second.size(); ++k) {
    order[static_cast<std::size_t>(position_second[k])] =
        static_cast<std::int64_t>(position_first.size() + k);
  }
  return outputs.index_select(0, torch::tensor(order, torch::kInt64));
}

std::vector<std::vector<std::int64_t>> ConcatenatedInput::epoch_batches(
    Random& random, std::int64_t batch_size) const {
  if (whole_batch_allowed()) return ModelInput::epoch_batches(random, batch_size);
  auto first = first_->epoch_batches(random, batch_size);
  auto second = second_->epoch_batches(random, batch_size);
  for (auto& batch : second) {
    for (auto& r : batch) r += first_->rows();
  }
  std::vector<std::vector<std::int64_t>> batches;
  std::size_t i = 0, j = 0;
  while (i < first.size() || j < second.size()) {
    const auto left_first = static_cast<double>(first.size() - i);
    const auto left_second = static_cast<double>(second.size() - j);
    const bool take_first = random.uniform() * (left_first + left_second) < left_first;
    batches.push_back(std::move(take_first ? first[i++] : second[j++]));
  }
  return batches;
}

}  // namespace scgrad
