#pragma once
/// @file nearest_neighbours.hpp
/// Exact k nearest neighbours of every cell in a low-dimensional embedding (PCA scores), by
/// Euclidean distance: blocks of cells against all cells as one matrix product each
/// (‖a‖² + ‖b‖² − 2 a·b), then the k smallest per row. Memory is bounded by the block (at most
/// 32 M distances at a time), time grows with cells² × dimensions.

#include <torch/torch.h>

#include <cstdint>

namespace scgrad {

/// Per cell (row of `embedding`, cells × dimensions), the indices of its `k` nearest other
/// cells (cells × k, int64), nearest first; k is capped at cells − 1.
torch::Tensor nearest_neighbours(const torch::Tensor& embedding, std::int64_t k);

}  // namespace scgrad
