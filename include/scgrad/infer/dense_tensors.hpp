#pragma once
/// @file dense_tensors.hpp
/// The exercise's tensors: a dense X (`torch.Tensor(data.X.todense())`) and its `scale`.

#include <torch/torch.h>

#include <vector>

#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

/// X = torch.Tensor(data.X.todense()): a float32 (cells x genes) tensor.
torch::Tensor to_dense_tensor(const CsrMatrix& matrix, const torch::Device& device = torch::kCPU);

/// Per-gene mean and population SD (`std(unbiased=False)`), SD 0 replaced by 1; (1 x genes).
struct ScalingTensors {
  torch::Tensor mean;
  torch::Tensor sd;
  double max_value = 0;  ///< scaled values above it are clipped to it; 0: none
};

/// The statistics the exercise's `scale` computes, from the given (training) cells.
ScalingTensors fit_scaling(const torch::Tensor& x);

/// In place: x -= mean; x /= sd.
torch::Tensor apply_scaling(torch::Tensor x, const ScalingTensors& stats);

/// The exercise's `scale`, in place: apply_scaling(x, fit_scaling(x)). A gene with SD 0 is
/// divided by 1 instead of giving NaN.
torch::Tensor scale(torch::Tensor x);

}  // namespace scgrad
