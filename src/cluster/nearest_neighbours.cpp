#include "scgrad/cluster/nearest_neighbours.hpp"

#include <ATen/Parallel.h>
#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace scgrad {

namespace {

/// Merges one row of distances to `columns` cells — cells [first_column, first_column +
/// columns), or cells[j] when `cells` is given — into that row's k best so far (`best`
/// ascending, `out` their cells), skipping cell `self`. One comparison per entry against the
/// k-th best (most entries fail it), so the scan runs at cache speed instead of a partial
/// sort's.
void merge_smallest(const float* row, std::int64_t first_column, std::int64_t columns,
                    std::int64_t self, std::int64_t k, float* best, std::int64_t* out,
                    const std::int64_t* cells = nullptr) {
  for (std::int64_t j = 0; j < columns; ++j) {
    const float d = row[j];
    if (!(d < best[k - 1])) continue;  // ties keep the earlier cell
    const auto cell = cells == nullptr ? first_column + j : cells[j];
    if (cell == self) continue;
    auto at = k - 1;
    while (at > 0 && d < best[at - 1]) {
      best[at] = best[at - 1];
      out[at] = out[at - 1];
      --at;
    }
    best[at] = d;
    out[at] = cell;
  }
}

/// Squared distances from `queries` to `points` up to a per-row constant (‖q‖² does not change
/// a row's order): ‖p‖² − 2 q·p as one matrix product.
torch::Tensor relative_distances(const torch::Tensor& queries, const torch::Tensor& points,
                                 const torch::Tensor& point_norms) {
  return torch::addmm(point_norms.unsqueeze(0), queries, points.t(), 1, -2).contiguous();
}

/// Rows of distances a thread scans at a time.
constexpr std::int64_t kQueryRows = 64;

/// k-means lists of the cells (faiss's Clustering, 10 iterations on a sample of 64 cells per
/// list; every cell then assigned to its nearest centre by matrix products): each list's
/// cells, and the `probes` lists whose centres are nearest each list's centre (itself first).
struct CellLists {
  std::vector<std::vector<std::int64_t>> cells;
  std::vector<std::int64_t> probed;  ///< lists × probes
};
CellLists cell_lists(const torch::Tensor& points, std::int64_t lists, std::int64_t probes,
                     std::uint64_t seed) {
  const auto cells = points.size(0);
  const auto dims = points.size(1);
  faiss::ClusteringParameters parameters;
  parameters.niter = 10;
  parameters.seed = static_cast<int>(seed % 2147483647);
  parameters.max_points_per_centroid = 64;
  parameters.verbose = false;
  faiss::Clustering clustering(static_cast<int>(dims), static_cast<std::size_t>(lists), parameters);
  faiss::IndexFlatL2 centres(dims);
  clustering.train(cells, points.data_ptr<float>(), centres);
  const auto centre_points =
      torch::from_blob(clustering.centroids.data(), {lists, dims}, torch::kFloat32);
  const auto centre_norms = centre_points.pow(2).sum(1);
  auto list_of = torch::empty({cells}, torch::kInt64);
  constexpr std::int64_t kTile = 4096;  // tiles of 4,096 cells × the centres' distances
  at::parallel_for(0, (cells + kTile - 1) / kTile, 1, [&](std::int64_t begin, std::int64_t end) {
    for (auto tile = begin; tile < end; ++tile) {
      const auto rows = std::min(kTile, cells - tile * kTile);
      list_of.narrow(0, tile * kTile, rows)
          .copy_(
              relative_distances(points.narrow(0, tile * kTile, rows), centre_points, centre_norms)
                  .argmin(1));
    }
  });
  CellLists out;
  out.cells.resize(static_cast<std::size_t>(lists));
  const auto* list = list_of.data_ptr<std::int64_t>();
  for (std::int64_t cell = 0; cell < cells; ++cell) {
    out.cells[static_cast<std::size_t>(list[cell])].push_back(cell);
  }
  std::vector<float> centre_distance(static_cast<std::size_t>(lists * probes));
  std::vector<faiss::Index::idx_t> nearest(static_cast<std::size_t>(lists * probes));
  centres.search(lists, clustering.centroids.data(), probes, centre_distance.data(),
                 nearest.data());
  out.probed.assign(nearest.begin(), nearest.end());
  return out;
}

}  // namespace

torch::Tensor nearest_neighbours(const torch::Tensor& embedding, std::int64_t k) {
  const auto cells = embedding.size(0);
  k = std::min(k, cells - 1);
  if (k < 1) return torch::zeros({cells, 0}, torch::kInt64);
  const auto points = embedding.to(torch::kFloat32).contiguous();
  const auto norms = points.pow(2).sum(1);
  // Tiles of 256 × 1024 distances (1 MB) stay in a core's L2 cache between the product that
  // writes them and the scan that reads them; rows of 100,000 cells did not (1.8× slower).
  constexpr std::int64_t kTileRows = 256, kTileColumns = 1024;
  auto neighbours = torch::full({cells, k}, -1, torch::kInt64);
  auto best = torch::full({cells, k}, std::numeric_limits<float>::infinity());
  auto* out = neighbours.data_ptr<std::int64_t>();
  auto* best_d = best.data_ptr<float>();
  // Threads take whole row tiles (a tile's rows are its own to write): a parallel region per
  // tile made two threads 4× slower than one (0.9 → 3.4 s for 20,000 cells).
  const auto row_tiles = (cells + kTileRows - 1) / kTileRows;
  at::parallel_for(0, row_tiles, 1, [&](std::int64_t tile_begin, std::int64_t tile_end) {
    for (auto tile = tile_begin; tile < tile_end; ++tile) {
      const auto first = tile * kTileRows;
      const auto rows = std::min(kTileRows, cells - first);
      const auto part = points.narrow(0, first, rows);
      for (std::int64_t column = 0; column < cells; column += kTileColumns) {
        const auto columns = std::min(kTileColumns, cells - column);
        const auto distance = relative_distances(part, points.narrow(0, column, columns),
                                                 norms.narrow(0, column, columns));
        const auto* d = distance.data_ptr<float>();
        for (std::int64_t r = 0; r < rows; ++r) {
          const auto cell = first + r;
          merge_smallest(d + r * columns, column, columns, cell, k, best_d + cell * k,
                         out + cell * k);
        }
      }
    }
  });
  return neighbours;
}

torch::Tensor approximate_nearest_neighbours(const torch::Tensor& embedding, std::int64_t k,
                                             const ApproximateNeighbours& options) {
  const auto cells = embedding.size(0);
  k = std::min(k, cells - 1);
  if (k < 1) return torch::zeros({cells, 0}, torch::kInt64);
  const auto points = embedding.to(torch::kFloat32).contiguous();
  const auto norms = points.pow(2).sum(1);
  // faiss's k-means wants 39 cells per list at least (it warns on stderr below that).
  const auto lists = std::max<std::int64_t>(
      1, std::min(options.lists > 0 ? options.lists : cells / 1000, cells / 39));
  const auto probes = std::clamp<std::int64_t>(options.probes, 1, lists);
  const auto groups = cell_lists(points, lists, probes, options.seed);
  auto neighbours = torch::full({cells, k}, -1, torch::kInt64);
  auto best = torch::full({cells, k}, std::numeric_limits<float>::infinity());
  auto* out = neighbours.data_ptr<std::int64_t>();
  auto* best_d = best.data_ptr<float>();
  // A list's cells are compared with every cell of its probed lists by one matrix product
  // (BLAS's threads), then the rows are scanned on ATen's threads (each row its own cell's):
  // products inside a parallel region made OpenBLAS's threads wait on each other.
  for (std::int64_t list = 0; list < lists; ++list) {
    auto members = groups.cells[static_cast<std::size_t>(list)];
    if (members.empty()) continue;
    std::vector<std::int64_t> candidates;
    for (std::int64_t p = 0; p < probes; ++p) {
      const auto probed = groups.probed[static_cast<std::size_t>(list * probes + p)];
      if (probed < 0) continue;
      const auto& more = groups.cells[static_cast<std::size_t>(probed)];
      candidates.insert(candidates.end(), more.begin(), more.end());
    }
    const auto columns = static_cast<std::int64_t>(candidates.size());
    const auto rows = static_cast<std::int64_t>(members.size());
    const auto candidate_index = torch::from_blob(candidates.data(), {columns}, torch::kInt64);
    const auto query_index = torch::from_blob(members.data(), {rows}, torch::kInt64);
    const auto distance = relative_distances(points.index_select(0, query_index),
                                             points.index_select(0, candidate_index),
                                             norms.index_select(0, candidate_index));
    const auto* d = distance.data_ptr<float>();
    at::parallel_for(0, rows, kQueryRows, [&](std::int64_t begin, std::int64_t end) {
      for (auto r = begin; r < end; ++r) {
        const auto cell = members[static_cast<std::size_t>(r)];
        merge_smallest(d + r * columns, 0, columns, cell, k, best_d + cell * k, out + cell * k,
                       candidates.data());
      }
    });
  }
  return neighbours;
}

}  // namespace scgrad
