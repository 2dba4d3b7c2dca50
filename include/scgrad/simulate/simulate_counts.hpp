#pragma once
/// @file simulate_counts.hpp
/// A deterministic simulator of single-cell counts that writes real `.h5ad` files: the
/// built-in default data and the way to make files of any size.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace scgrad {

/// The cell types simulated by default, named like the exercise's data.
std::vector<std::string> default_cell_types();

struct SimulateOptions {
  std::int64_t cells = 2000;
  std::int64_t genes = 2000;
  std::uint64_t seed = 0;
  std::vector<std::string> cell_types = default_cell_types();
  std::int64_t markers_per_type = 0;  ///< 0: genes / 20, at least 5
  double marker_fold = 6.0;           ///< mean fold change of a marker gene in its type
  double mean_library_size = 5000;    ///< mean counts per cell (log-normal, sd 0.4 on log scale)
  double dispersion = 0.2;            ///< negative-binomial dispersion (variance mu + phi mu^2)
  /// Share of each cell type (any positive numbers, normalised); empty: equal shares.
  std::vector<double> proportions;
  /// A query batch of the same reference: the genes and types (base expression, markers) come
  /// from `seed` as always, but the cells are drawn from `batch_seed`, and a `shift_genes`
  /// share of the genes has its mean multiplied by exp(N(0, shift_sd²)) in every cell — a batch
  /// effect. 0 (default): no batch, the cells continue `seed`'s stream.
  std::uint64_t batch_seed = 0;
  double shift_genes = 0;
  double shift_sd = 1.0;
  bool gzip = false;
};

struct SimulateResults {
  std::int64_t nonzeros = 0;
  std::vector<std::int64_t> cells_per_type;
};

/// Writes `path`: CSR `X` of integer counts (float32), obs['author_cell_type'] categorical,
/// var index gene names ("Gene00001"... with markers named "<Type>_marker_k"). The same options
/// give the same file (the generator is std::mt19937_64 with scgrad's own distributions).
/// @param on_progress called with the number of cells written so far
SimulateResults simulate_h5ad(const std::string& path, const SimulateOptions& options,
                              const std::function<void(std::int64_t)>& on_progress = {});

}  // namespace scgrad
