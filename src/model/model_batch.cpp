#include "scgrad/model/model_batch.hpp"

#include <algorithm>

namespace scgrad {

ModelBatch rows_of(const ModelBatch& batch, std::int64_t first, std::int64_t last) {
  if (!batch.is_sparse()) return batch.dense.narrow(0, first, last - first);
  const auto& x = batch.sparse;
  return CsrTensors{x.indptr.narrow(0, first, last - first + 1),
                    x.indices,
                    x.values,
                    last - first,
                    x.n_cols,
                    x.values_capped};
}

ModelBatch interleave(const std::vector<ModelBatch>& parts,
                      const std::vector<std::pair<std::size_t, std::int64_t>>& order) {
  if (!parts.front().is_sparse()) {
    std::vector<torch::Tensor> dense;
    std::vector<std::int64_t> offset{0};
    for (const auto& part : parts) {
      dense.push_back(part.dense);
      offset.push_back(offset.back() + part.rows());
    }
    std::vector<std::int64_t> rows;
    for (const auto& [p, r] : order) rows.push_back(offset[p] + r);
    return torch::cat(dense, 0).index_select(0, torch::tensor(rows, torch::kInt64));
  }
  // Sparse: copy each chosen row's entries out of its part's arrays.
  auto out = std::make_shared<CsrMatrix>();  // held by the batch's tensors (csr_view)
  out->n_rows = static_cast<std::int64_t>(order.size());
  out->n_cols = parts.front().sparse.n_cols;
  for (const auto& [p, r] : order) {
    const auto& x = parts[p].sparse;
    const auto* indptr = x.indptr.data_ptr<std::int64_t>();
    const auto* indices = x.indices.data_ptr<std::int32_t>();
    const auto* values = x.values.data_ptr<float>();
    out->indices.insert(out->indices.end(), indices + indptr[r], indices + indptr[r + 1]);
    out->data.insert(out->data.end(), values + indptr[r], values + indptr[r + 1]);
    out->indptr.push_back(static_cast<std::int64_t>(out->data.size()));
  }
  auto batch = csr_view(out);
  batch.values_capped = std::all_of(
      parts.begin(), parts.end(), [](const ModelBatch& part) { return part.sparse.values_capped; });
  return batch;
}

}  // namespace scgrad
