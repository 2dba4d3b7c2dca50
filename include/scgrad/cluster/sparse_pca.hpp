#pragma once
/// @file sparse_pca.hpp
/// Principal components of cells as a model sees them — the log-CPM scaled by the model's
/// per-gene SDs, centred on the cells' means — without forming that dense matrix: a randomised
/// SVD (Halko, Martinsson & Tropp 2011, algorithm 4.4: a Gaussian test matrix, power iterations
/// re-orthonormalised by QR) whose products with the centred, scaled matrix are sparse products
/// with the log-CPM plus rank-one corrections for the scaling and the centring.

#include <torch/torch.h>

#include <cstdint>

#include "scgrad/model/sparse_linear.hpp"

namespace scgrad {

struct SparsePcaOptions {
  std::int64_t components = 50;  ///< at most min(cells, genes) − 1 are returned
  std::int64_t oversampling = 10;
  int power_iterations = 4;  ///< scikit-learn's randomized_svd takes 4 for few components
  std::uint64_t seed = 0;    ///< of the Gaussian test matrix (a generator of its own)
};

/// The cells' PCA scores (cells × components, float32, U·Σ), the components ordered by
/// decreasing singular value. `inverse_sd` scales each gene (1 / the model's SD).
torch::Tensor sparse_pca(const CsrTensors& log_cpm, const torch::Tensor& inverse_sd,
                         const SparsePcaOptions& options = {});

}  // namespace scgrad
