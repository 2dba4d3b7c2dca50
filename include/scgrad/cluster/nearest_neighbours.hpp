#pragma once
/// @file nearest_neighbours.hpp
/// Exact k nearest neighbours of every cell in a low-dimensional embedding (PCA scores), by
/// Euclidean distance: tiles of cells × cells distances as matrix products (‖b‖² − 2 a·b), each
/// merged into every row's k best. Memory: the embedding and a 1 MB tile; time grows with
/// cells² × dimensions.

#include <torch/torch.h>

#include <cstdint>

namespace scgrad {

/// Per cell (row of `embedding`, cells × dimensions), the indices of its `k` nearest other
/// cells (cells × k, int64), nearest first; k is capped at cells − 1.
torch::Tensor nearest_neighbours(const torch::Tensor& embedding, std::int64_t k);

}  // namespace scgrad
