#pragma once
/// @file over_clustering.hpp
/// CellTypist's over-clustering of a query, on the model's own inputs: PCA of the cells' log-CPM
/// over the query's most variable model genes, scaled by the model's SDs (streamed_pca.hpp:
/// from blocks of cells, never a dense cells × genes matrix), the k-nearest-neighbour graph of
/// the PCA scores (nearest_neighbours.hpp: exact for small queries, an inverted-file index
/// above `exact_neighbours_up_to` cells; edges of either direction, unweighted), and Leiden
/// communities with the modularity objective (leiden.hpp) at a resolution that grows with the
/// number of cells as CellTypist's does. Majority voting (majority_vote.hpp) then labels each
/// community. Not thread-safe with other users of igraph (leiden.hpp). No torch in this header.

#include <cstdint>
#include <vector>

#include "scgrad/cluster/streamed_pca.hpp"
#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

struct OverClusteringOptions {
  std::int64_t components = 50;    ///< PCA components (CellTypist: 50)
  std::int64_t pca_genes = 2000;   ///< the query's most variable genes the PCA uses
  std::int64_t pca_cells = 50000;  ///< the components are fitted on this many cells at most
  std::int64_t neighbours = 10;    ///< k of the kNN graph (CellTypist: 10)
  /// Exact neighbours up to this many cells, approximate (k-means lists) above. The lists are
  /// faster from 5,000 cells on, but inexact; the exact search costs at most ~2 s up to 20,000
  /// cells and grows with cells² beyond (bench/neighbour_search.sh).
  std::int64_t exact_neighbours_up_to = 20000;
  double resolution = 0;   ///< 0: default_over_clustering_resolution(cells)
  std::uint64_t seed = 0;  ///< the neighbour index and Leiden: same seed, same clusters
};

struct OverClustering {
  std::vector<std::int32_t> clusters;  ///< per cell, 0 = the largest cluster
  std::int32_t n_clusters = 0;
  double resolution = 0;  ///< as used
  std::int64_t components = 0;
  std::int64_t edges = 0;      ///< of the kNN graph
  std::int64_t pca_genes = 0;  ///< genes the PCA used
  bool approximate_neighbours = false;
  double pca_seconds = 0, neighbour_seconds = 0, leiden_seconds = 0;
};

/// CellTypist's rule: 5, 10, 15, 20, 25 or 30 for fewer than 5,000, 20,000, 40,000, 100,000,
/// 200,000 cells or more.
double default_over_clustering_resolution(std::int64_t cells);

/// 1 / each SD (the PCA's gene scales); throws OptionError unless every SD is > 0.
std::vector<float> inverse_sd(const std::vector<float>& sd);
/// The PCA's part of the options.
StreamedPcaOptions pca_options(const OverClusteringOptions& options);

/// Over-clusters cells by their PCA scores (streamed_pca.hpp): the neighbour graph and Leiden.
/// `pca_seconds` is the caller's to fill.
OverClustering over_cluster(PcaScores scores, const OverClusteringOptions& options = {});

/// The whole over-clustering of cells held in memory (log-CPM, cells × the model's genes), each
/// gene scaled by 1 / `sd`.
OverClustering over_cluster(const CsrMatrix& log_cpm, const std::vector<float>& sd,
                            const OverClusteringOptions& options = {});

}  // namespace scgrad
