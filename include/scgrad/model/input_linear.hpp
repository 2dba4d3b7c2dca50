#pragma once
/// @file input_linear.hpp
/// The first layer of every scgrad model: torch's Linear (the same parameters, names and initial
/// weights as PyTorch's nn.Linear, so the exercise's numbers match) that also takes log-CPM rows
/// kept sparse, with the scaling folded in — W·((x − mean)/sd) + b computed from the nonzeros
/// (sparse_linear.hpp). The scaling belongs to the model: set from the fitted preprocessing.

#include <torch/torch.h>

#include <cstdint>

#include "scgrad/model/model_batch.hpp"

namespace scgrad {

class InputLinearImpl : public torch::nn::LinearImpl {
 public:
  InputLinearImpl(std::int64_t inputs, std::int64_t outputs);
  /// Dense cells: the Linear's forward. Sparse rows: the folded product.
  torch::Tensor apply(const ModelBatch& batch);
  /// Per gene (1-D float32): the scaling sparse rows are given (the dense X comes scaled), and
  /// the clip of scaled values (0: none).
  void set_scaling(torch::Tensor mean, torch::Tensor sd, double max_value = 0);

 private:
  torch::Tensor mean_, sd_;
  /// The clip as a per-gene cap on the stored values (value_caps), so the scaling stays folded
  /// (undefined: no clip).
  torch::Tensor cap_;
};

/// (x − mean) / sd ≤ max_value  ⇔  x ≤ mean + max_value · sd: the clip of scaled values as a
/// per-gene cap on stored log-CPM values (float32, as the first layer applies it).
torch::Tensor value_caps(const torch::Tensor& mean, const torch::Tensor& sd, double max_value);

/// Caps every stored value of `matrix` at its gene's entry of `caps` (value_caps), once: an
/// input whose batches carry CsrTensors::values_capped then costs the first layer no clip per
/// forward pass (a full-batch L-BFGS fit passes the same cells hundreds of times).
void cap_stored_values(CsrMatrix& matrix, const torch::Tensor& caps);

/// A shared handle, as torch's module holders: `linear1(x)`, `linear1->weight`.
TORCH_MODULE(InputLinear);

}  // namespace scgrad
