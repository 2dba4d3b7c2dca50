#pragma once
/// @file nearest_neighbours.hpp
/// The k nearest neighbours of every cell in a low-dimensional embedding (PCA scores), by
/// Euclidean distance. Exact: tiles of cells × cells distances as matrix products
/// (‖b‖² − 2 a·b), each merged into every row's k best (memory: the embedding and a 1 MB tile;
/// time grows with cells² × dimensions). Approximate: an inverted-file index (faiss).

#include <torch/torch.h>

#include <cstdint>

namespace scgrad {

/// Per cell (row of `embedding`, cells × dimensions), the indices of its `k` nearest other
/// cells (cells × k, int64), nearest first; k is capped at cells − 1.
torch::Tensor nearest_neighbours(const torch::Tensor& embedding, std::int64_t k);

/// Approximate neighbours by an inverted-file index (faiss's IndexIVFFlat, as Jégou, Douze &
/// Schmid 2011 without the compression): k-means cuts the cells into `lists` cells' lists, and
/// each cell is compared with the cells of the `probes` lists nearest to it. Time grows with
/// cells × cells / lists × probes instead of cells²; memory is the embedding once more.
struct ApproximateNeighbours {
  std::int64_t lists = 0;   ///< 0: 4 √cells (faiss's guideline), at most cells / 39
  std::int64_t probes = 16;
  std::uint64_t seed = 0;   ///< of the k-means sample and start: same seed, same neighbours
};

/// As nearest_neighbours, approximately. Threads: OpenMP's (the caller's omp_get_max_threads).
torch::Tensor approximate_nearest_neighbours(const torch::Tensor& embedding, std::int64_t k,
                                             const ApproximateNeighbours& options = {});

}  // namespace scgrad
