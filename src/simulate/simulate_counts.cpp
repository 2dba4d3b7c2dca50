#include "scgrad/simulate/simulate_counts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_writer.hpp"
#include "scgrad/util/output_set.hpp"
#include "scgrad/util/random.hpp"

namespace scgrad {

std::vector<std::string> default_cell_types() {
  return {"Astrocytes", "Glioblasts", "Oligodendrocytes", "OPC",
          "Neurons",    "Microglia",  "Endothelial",      "Fetal replicating"};
}

namespace {

std::string gene_name(std::int64_t g) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "Gene%05lld", static_cast<long long>(g + 1));
  return buffer;
}

/// Checks the options; returns the markers per type.
std::int64_t checked_markers(const SimulateOptions& options) {
  const auto n_types = static_cast<std::int64_t>(options.cell_types.size());
  if (options.cells < 1 || options.genes < 1)
    throw OptionError("simulate_h5ad: cells and genes must be >= 1", {"cells", "genes"});
  if (n_types < 1) throw OptionError("simulate_h5ad: need at least one cell type", {"cell_types"});
  if (!(std::isfinite(options.dispersion) && options.dispersion > 0)) {
    throw OptionError("simulate_h5ad: the dispersion must be a finite number > 0", {"dispersion"});
  }
  if (!(std::isfinite(options.mean_library_size) && options.mean_library_size > 0)) {
    throw OptionError("simulate_h5ad: the mean library size must be a finite number > 0",
                      {"mean_library_size"});
  }
  if (!(std::isfinite(options.shift_sd) && options.shift_sd >= 0)) {
    throw OptionError("simulate_h5ad: the shift SD must be a finite number >= 0", {"shift_sd"});
  }
  const std::int64_t markers = options.markers_per_type > 0
                                   ? options.markers_per_type
                                   : std::max<std::int64_t>(5, options.genes / 20);
  if (markers * n_types > options.genes) {
    throw OptionError("simulate_h5ad: " + std::to_string(n_types) + " cell types x " +
                          std::to_string(markers) + " markers need more than " +
                          std::to_string(options.genes) + " genes",
                      {"genes", "markers_per_type"});
  }
  return markers;
}

/// Each type's mean expression: baseline relative abundances times the type's marker folds.
struct Expression {
  std::vector<double> base;               ///< per gene, summing to 1
  std::vector<std::vector<double>> fold;  ///< per type and gene
  std::vector<std::string> genes;
};

Expression expression(const SimulateOptions& options, std::int64_t markers, Random& random) {
  const auto n_types = static_cast<std::int64_t>(options.cell_types.size());
  // Baseline expression: log-normal relative abundances, normalised to sum to 1.
  std::vector<double> base(static_cast<std::size_t>(options.genes));
  for (auto& b : base) b = std::exp(1.5 * random.normal());
  double total = 0;
  for (const auto b : base) total += b;
  for (auto& b : base) b /= total;

  // Markers: the first markers*n_types genes, a block per type, up-regulated in that type.
  std::vector<std::string> genes(static_cast<std::size_t>(options.genes));
  std::vector<std::vector<double>> fold(static_cast<std::size_t>(n_types),
                                        std::vector<double>(genes.size(), 1.0));
  for (std::int64_t g = 0; g < options.genes; ++g) genes[g] = gene_name(g);
  for (std::int64_t t = 0; t < n_types; ++t) {
    for (std::int64_t m = 0; m < markers; ++m) {
      const auto g = static_cast<std::size_t>(t * markers + m);
      fold[t][g] = options.marker_fold * std::exp(0.3 * random.normal());
      std::string type_name = options.cell_types[t];
      std::replace(type_name.begin(), type_name.end(), ' ', '_');
      genes[g] = type_name + "_marker_" + std::to_string(m + 1);
    }
  }

  return {std::move(base), std::move(fold), std::move(genes)};
}

/// The cumulative shares of the types (empty: equal shares).
std::vector<double> cumulative_shares(const SimulateOptions& options) {
  const auto n_types = static_cast<std::int64_t>(options.cell_types.size());
  std::vector<double> cumulative;
  if (!options.proportions.empty()) {
    if (options.proportions.size() != options.cell_types.size()) {
      throw OptionError("simulate_h5ad: " + std::to_string(options.proportions.size()) +
                            " proportions for " + std::to_string(n_types) + " cell types",
                        {"proportions"});
    }
    double sum = 0;
    for (const auto p : options.proportions) {
      if (!(p > 0)) {
        throw OptionError("simulate_h5ad: proportions must be positive", {"proportions"});
      }
      cumulative.push_back(sum += p);
    }
    for (auto& c : cumulative) c /= sum;
  }
  return cumulative;
}

}  // namespace

SimulateResults simulate_h5ad(const std::string& path, const SimulateOptions& options,
                              const std::function<void(std::int64_t)>& on_progress) {
  const auto n_types = static_cast<std::int64_t>(options.cell_types.size());
  const auto markers = checked_markers(options);
  Random random(options.seed);

  auto [base, fold, genes] = expression(options, markers, random);

  // Cell types by their shares (cumulative), and the batch's cells and gene shifts.
  const auto cumulative = cumulative_shares(options);
  if (options.batch_seed != 0) {
    random = Random(options.batch_seed);
    for (auto& b : base) {
      if (random.uniform() < options.shift_genes) b *= std::exp(options.shift_sd * random.normal());
    }
  }
  auto draw_type = [&] {
    if (cumulative.empty())
      return static_cast<std::int32_t>(random.index(static_cast<std::size_t>(n_types)));
    const double u = random.uniform();
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    return static_cast<std::int32_t>(
        std::min<std::ptrdiff_t>(it - cumulative.begin(), n_types - 1));
  };

  Categorical labels;
  labels.categories = options.cell_types;
  std::vector<std::string> cell_names;
  SimulateResults results;
  results.cells_per_type.assign(static_cast<std::size_t>(n_types), 0);
  OutputSet outputs;  // an interrupted run leaves no half-written file
  H5adWriter writer(outputs.add("the simulated file", path).path(), options.genes, options.gzip);
  std::vector<std::int32_t> row_indices;
  std::vector<float> row_values;
  for (std::int64_t c = 0; c < options.cells; ++c) {
    const auto type = draw_type();
    labels.codes.push_back(type);
    ++results.cells_per_type[type];
    cell_names.push_back("cell" + std::to_string(c + 1));
    const double library = options.mean_library_size * std::exp(0.4 * random.normal() - 0.08);
    row_indices.clear();
    row_values.clear();
    for (std::int64_t g = 0; g < options.genes; ++g) {
      const double mu = library * base[g] * fold[type][g];
      const auto count = random.negative_binomial(mu, options.dispersion);
      if (count > 0) {
        row_indices.push_back(static_cast<std::int32_t>(g));
        row_values.push_back(static_cast<float>(count));
      }
    }
    results.nonzeros += static_cast<std::int64_t>(row_values.size());
    writer.append_row(row_indices, row_values);
    if (on_progress && ((c + 1) % 1000 == 0 || c + 1 == options.cells)) on_progress(c + 1);
  }
  writer.write_obs(cell_names, {{"author_cell_type", labels}});
  writer.write_var(genes);
  writer.finish();
  outputs.commit();
  return results;
}

}  // namespace scgrad
