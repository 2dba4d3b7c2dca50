#pragma once
/// @file nearest_neighbours.hpp
/// The k nearest neighbours of every cell in a low-dimensional embedding (PCA scores), by
/// Euclidean distance. Exact: tiles of cells × cells distances as matrix products
/// (‖b‖² − 2 a·b), each merged into every row's k best (memory: the embedding and a 1 MB tile;
/// time grows with cells² × dimensions). Approximate: k-means lists (faiss) searched list by
/// list.

#include <torch/torch.h>

#include <cstdint>

namespace scgrad {

/// Per cell (row of `embedding`, cells × dimensions), the indices of its `k` nearest other
/// cells (cells × k, int64), nearest first; k is capped at cells − 1.
torch::Tensor nearest_neighbours(const torch::Tensor& embedding, std::int64_t k);

/// Approximate neighbours from k-means lists (an inverted file, as faiss's IndexIVFFlat, but
/// searched list by list): faiss's k-means cuts the cells into `lists` lists, and the cells of
/// each list are compared with every cell of the `probes` lists whose centres are nearest their
/// own list's centre, as one matrix product per list. Time grows with cells × probes × the
/// cells per list instead of cells²; memory is the embedding once more.
struct ApproximateNeighbours {
  std::int64_t lists = 0;  ///< 0: one per 1,000 cells (at most cells / 39, as faiss wants)
  std::int64_t probes = 4;
  std::uint64_t seed = 0;  ///< of the k-means sample and start: same seed, same neighbours
};

/// As nearest_neighbours, approximately. Threads: ATen's for the search, OpenMP's (the caller's
/// omp_get_max_threads) for faiss's k-means.
torch::Tensor approximate_nearest_neighbours(const torch::Tensor& embedding, std::int64_t k,
                                             const ApproximateNeighbours& options = {});

}  // namespace scgrad
