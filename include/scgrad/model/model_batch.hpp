#pragma once
/// @file model_batch.hpp
/// Cells as a model takes them: the exercise's dense, already scaled X, or log-CPM rows kept
/// sparse, which the model's input layer scales as it multiplies (input_linear.hpp). Inputs
/// (infer/model_input.hpp) produce batches; the training loop hands them to the model.

#include <torch/torch.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "scgrad/model/sparse_linear.hpp"

namespace scgrad {

struct ModelBatch {
  ModelBatch() = default;
  /// Dense cells (cells × genes, scaled): lets `model.forward(x)` read as the exercise's.
  ModelBatch(torch::Tensor x) : dense(std::move(x)) {}  // NOLINT(google-explicit-constructor)
  /// Sparse log-CPM rows.
  ModelBatch(CsrTensors x) : sparse(std::move(x)) {}  // NOLINT(google-explicit-constructor)

  bool is_sparse() const { return !dense.defined(); }
  std::int64_t rows() const { return is_sparse() ? sparse.n_rows : dense.size(0); }

  torch::Tensor dense;
  CsrTensors sparse;
};

/// Rows [first, last) of a batch, without copying (CSR: the same entries, indptr narrowed; the
/// kernels read indptr's offsets as they are).
ModelBatch rows_of(const ModelBatch& batch, std::int64_t first, std::int64_t last);

/// Rows of several batches of one kind in a chosen order: output row i is row
/// `order[i].second` of `parts[order[i].first]`.
ModelBatch interleave(const std::vector<ModelBatch>& parts,
                      const std::vector<std::pair<std::size_t, std::int64_t>>& order);

}  // namespace scgrad
