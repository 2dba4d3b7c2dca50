#pragma once
/// @file dense_tensors.hpp
/// The exercise's tensors: a dense X (`torch.Tensor(data.X.todense())`), its `scale`, and Y.

#include <torch/torch.h>

#include <vector>

#include "scgrad/io/csr_matrix.hpp"

namespace scgrad {

/// X = torch.Tensor(data.X.todense()): a float32 (cells x genes) tensor.
torch::Tensor to_dense_tensor(const CsrMatrix& matrix, const torch::Device& device = torch::kCPU);

/// The exercise's `scale`, in place: subtract each gene's mean, divide by its population SD
/// (`std(unbiased=False)`). A gene with SD 0 is divided by 1 instead of giving NaN.
torch::Tensor scale(torch::Tensor x);

/// Y: one column of 0/1 targets (1 = the first, positive class), float32.
torch::Tensor targets_tensor(const std::vector<float>& targets,
                             const torch::Device& device = torch::kCPU);

}  // namespace scgrad
