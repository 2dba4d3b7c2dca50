#include "scgrad/cluster/over_clustering.hpp"

#include <algorithm>
#include <chrono>

#include "scgrad/cluster/leiden.hpp"
#include "scgrad/cluster/nearest_neighbours.hpp"
#include "scgrad/error.hpp"
#include "scgrad/util/seconds_since.hpp"

namespace scgrad {

namespace {

/// The undirected edges of a kNN graph: {i, j} once when j is among i's neighbours or i among
/// j's, as (lower, higher) pairs flattened.
std::vector<std::int64_t> undirected_edges(const torch::Tensor& neighbours) {
  const auto cells = neighbours.size(0);
  const auto k = neighbours.size(1);
  const auto* n = neighbours.data_ptr<std::int64_t>();
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
  pairs.reserve(static_cast<std::size_t>(cells * k));
  for (std::int64_t i = 0; i < cells; ++i) {
    for (std::int64_t j = 0; j < k; ++j) {
      const auto other = n[i * k + j];
      if (other < 0) continue;  // an approximate search may find fewer than k
      pairs.emplace_back(std::min(i, other), std::max(i, other));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<std::int64_t> edges;
  edges.reserve(pairs.size() * 2);
  for (const auto& [a, b] : pairs) {
    edges.push_back(a);
    edges.push_back(b);
  }
  return edges;
}

}  // namespace

std::vector<float> inverse_sd(const std::vector<float>& sd) {
  if (std::any_of(sd.begin(), sd.end(), [](float s) { return !(s > 0); })) {
    throw OptionError("over_cluster: every gene's SD must be > 0");
  }
  std::vector<float> out(sd.size());
  std::transform(sd.begin(), sd.end(), out.begin(), [](float s) { return 1 / s; });
  return out;
}

StreamedPcaOptions pca_options(const OverClusteringOptions& options) {
  StreamedPcaOptions pca;
  pca.components = options.components;
  pca.genes = options.pca_genes;
  return pca;
}

double default_over_clustering_resolution(std::int64_t cells) {
  if (cells < 5000) return 5;
  if (cells < 20000) return 10;
  if (cells < 40000) return 15;
  if (cells < 100000) return 20;
  if (cells < 200000) return 25;
  return 30;
}

OverClustering over_cluster(PcaScores scores, const OverClusteringOptions& options) {
  if (options.neighbours < 1) {
    throw OptionError("over_cluster: neighbours must be >= 1", {"neighbours"});
  }
  const auto cells = scores.cells;
  OverClustering out;
  out.resolution =
      options.resolution > 0 ? options.resolution : default_over_clustering_resolution(cells);
  out.components = scores.components;
  out.pca_genes = static_cast<std::int64_t>(scores.genes.size());
  torch::NoGradGuard no_grad;
  auto start = std::chrono::steady_clock::now();
  const auto embedding =
      torch::from_blob(scores.scores.data(), {cells, scores.components}, torch::kFloat32);
  out.approximate_neighbours = cells > options.exact_neighbours_up_to;
  ApproximateNeighbours approximate;
  approximate.seed = options.seed;
  const auto edges = undirected_edges(
      out.approximate_neighbours
          ? approximate_nearest_neighbours(embedding, options.neighbours, approximate)
          : nearest_neighbours(embedding, options.neighbours));
  scores = PcaScores{};
  out.edges = static_cast<std::int64_t>(edges.size() / 2);
  out.neighbour_seconds = seconds_since(start);

  start = std::chrono::steady_clock::now();
  LeidenOptions leiden;
  leiden.resolution = out.resolution;
  leiden.seed = options.seed;
  out.clusters = leiden_communities(cells, edges, leiden);
  out.leiden_seconds = seconds_since(start);
  out.n_clusters =
      out.clusters.empty() ? 0 : *std::max_element(out.clusters.begin(), out.clusters.end()) + 1;
  return out;
}

OverClustering over_cluster(const CsrMatrix& log_cpm, const std::vector<float>& sd,
                            const OverClusteringOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  PcaSample sample(log_cpm.n_cols, log_cpm.n_rows, options.pca_cells);
  sample.add(log_cpm);
  PcaProjection projection(sample, inverse_sd(sd), pca_options(options));
  projection.add(log_cpm);
  const auto pca_seconds = seconds_since(start);
  auto out = over_cluster(projection.take_scores(), options);
  out.pca_seconds = pca_seconds;
  return out;
}

}  // namespace scgrad
