#include "scgrad/infer/model_input.hpp"

#include <algorithm>
#include <numeric>

#include "scgrad/distributed/process_group.hpp"

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

std::vector<std::int64_t> ModelInput::rank_positions(const std::vector<std::int64_t>& rows,
                                                     int rank, int size) const {
  const auto [first, last] = contiguous_share(static_cast<std::int64_t>(rows.size()), rank, size);
  std::vector<std::int64_t> positions(static_cast<std::size_t>(last - first));
  std::iota(positions.begin(), positions.end(), first);
  return positions;
}

void ModelInput::visit_range(
    std::int64_t first, std::int64_t last, std::int64_t max_rows,
    const std::function<void(const ModelBatch&, std::int64_t)>& visit) const {
  if (first >= last) return;
  if (whole_batch_allowed() && last - first <= max_rows) {
    const auto all = batch();  // in memory: a view, narrowed without copying
    visit(first == 0 && last == rows() ? all : rows_of(all, first, last), first);
    return;
  }
  const auto step = std::min(max_rows, chunk_rows());
  for (std::int64_t start = first; start < last; start += step) {
    std::vector<std::int64_t> cells(static_cast<std::size_t>(std::min(step, last - start)));
    std::iota(cells.begin(), cells.end(), start);
    visit(batch(&cells), start);
  }
}

ModelBatch DenseInput::batch(const std::vector<std::int64_t>* rows) const {
  if (rows == nullptr) return x_;
  return x_.index_select(0, torch::tensor(*rows, torch::kInt64));
}

ModelBatch SparseInput::batch(const std::vector<std::int64_t>* rows) const {
  auto x = rows == nullptr ? csr_view(matrix_) : gather_rows(*matrix_, *rows);
  x.values_capped = values_capped_;
  return x;
}

ConcatenatedInput::ConcatenatedInput(std::shared_ptr<const ModelInput> first,
                                     std::shared_ptr<const ModelInput> second)
    : first_(std::move(first)), second_(std::move(second)) {}

ModelBatch ConcatenatedInput::batch(const std::vector<std::int64_t>* rows) const {
  const auto n_first = first_->rows();
  std::vector<std::int64_t> in_first, in_second;
  std::vector<std::pair<std::size_t, std::int64_t>> order;  // (part, row in its batch)
  for (std::int64_t i = 0; i < (rows ? static_cast<std::int64_t>(rows->size()) : this->rows());
       ++i) {
    const auto r = rows ? (*rows)[static_cast<std::size_t>(i)] : i;
    if (r < n_first) {
      order.emplace_back(0, static_cast<std::int64_t>(in_first.size()));
      in_first.push_back(r);
    } else {
      order.emplace_back(1, static_cast<std::int64_t>(in_second.size()));
      in_second.push_back(r - n_first);
    }
  }
  if (in_second.empty()) return first_->batch(&in_first);
  if (in_first.empty()) return second_->batch(&in_second);
  return interleave({first_->batch(&in_first), second_->batch(&in_second)}, order);
}

void ConcatenatedInput::visit_range(
    std::int64_t first, std::int64_t last, std::int64_t max_rows,
    const std::function<void(const ModelBatch&, std::int64_t)>& visit) const {
  // Each part's own batches: no copy into one batch.
  const auto offset = first_->rows();
  first_->visit_range(first, std::min(last, offset), max_rows, visit);
  second_->visit_range(
      std::max(first, offset) - offset, last - offset, max_rows,
      [&](const ModelBatch& batch, std::int64_t row) { visit(batch, offset + row); });
}

std::vector<std::int64_t> ConcatenatedInput::rank_positions(const std::vector<std::int64_t>& rows,
                                                            int rank, int size) const {
  const auto n_first = first_->rows();
  if (whole_batch_allowed() || rows.empty()) return ModelInput::rank_positions(rows, rank, size);
  if (rows.front() < n_first) return first_->rank_positions(rows, rank, size);
  std::vector<std::int64_t> in_second(rows.size());
  std::transform(rows.begin(), rows.end(), in_second.begin(),
                 [&](std::int64_t r) { return r - n_first; });
  return second_->rank_positions(in_second, rank, size);
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
