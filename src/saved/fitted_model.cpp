#include "scgrad/saved/fitted_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "model_file_layout.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/dataframe_column.hpp"
#include "scgrad/model/layer_spec.hpp"

namespace scgrad {

using namespace model_file_layout;

namespace {

[[noreturn]] void invalid(const std::string& path, const std::string& element,
                          const std::string& what) {
  throw InputError(path, element, what);
}

void check_names(const std::vector<std::string>& names, const std::string& path,
                 const std::string& element, std::size_t at_least) {
  if (names.size() < at_least) {
    invalid(path, element,
            std::to_string(names.size()) + " entries, at least " + std::to_string(at_least) +
                " needed");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) invalid(path, element, "entry " + std::to_string(i) + " is empty");
    if (!seen.insert(names[i]).second) {
      invalid(path, element, "'" + names[i] + "' appears more than once");
    }
  }
}

void check_finite(const std::vector<float>& values, const std::string& path,
                  const std::string& element) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      invalid(path, element,
              "value " + std::to_string(i) + " is " + std::to_string(values[i]) +
                  " (every value must be finite)");
    }
  }
}

/// The checks on what the model says it is (no arrays): names, spec, preprocessing numbers.
void validate_description(const FittedModel& model, const std::string& path) {
  const auto& pre = model.preprocessing;
  check_names(model.classes, path, "classes", 2);
  check_names(pre.genes, path, "genes", 1);
  if (model.hidden < 1 || model.hidden > kMaxLayerUnits) {
    invalid(
        path, "hidden",
        std::to_string(model.hidden) + " units, expected 1 to " + std::to_string(kMaxLayerUnits));
  }
  std::vector<LayerSpec> layers;
  std::string implied;
  try {
    layers = parse_layer_spec(model.spec);
    implied = model_spec_text(model.model, model.hidden, output_units(model.classes.size()));
  } catch (const Error& e) {
    invalid(path, "spec", e.what());
  }
  for (const auto& layer : layers) {
    if (layer.kind == LayerSpec::Kind::linear && layer.units > kMaxLayerUnits) {
      invalid(path, "spec",
              "a layer of " + std::to_string(layer.units) + " units (at most " +
                  std::to_string(kMaxLayerUnits) + ")");
    }
  }
  if (to_string(layers) != implied) {
    invalid(path, "spec",
            "'" + model.spec + "' is not the model the file names ('" + model.model + "', " +
                std::to_string(model.classes.size()) + " classes: " + implied + ")");
  }
  if (!(std::isfinite(pre.log_cpm.target_sum) && pre.log_cpm.target_sum > 0)) {
    invalid(path, "preprocess/target_sum", "must be a finite number > 0");
  }
  if (!(std::isfinite(pre.log_cpm.log_base) && pre.log_cpm.log_base >= 0)) {
    invalid(path, "preprocess/log_base", "must be a finite number >= 0 (0: natural log)");
  }
  if (!(std::isfinite(pre.max_value) && pre.max_value >= 0)) {
    invalid(path, "preprocess/max_value", "must be a finite number >= 0 (0: no clip)");
  }
  if (!std::isfinite(pre.gene_filter.min_counts))
    invalid(path, "preprocess/min_counts", "not finite");
}

/// Rows of kNoveltyLevels values per class, finite, each non-decreasing, within [low, high].
void check_quantile_rows(const std::vector<float>& rows, std::size_t n_classes, double low,
                         double high, const std::string& path, const std::string& element) {
  const auto expected = n_classes * static_cast<std::size_t>(kNoveltyLevels);
  if (rows.size() != expected) {
    invalid(path, element,
            std::to_string(rows.size()) + " values, expected " + std::to_string(kNoveltyLevels) +
                " per class (" + std::to_string(expected) + ")");
  }
  check_finite(rows, path, element);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool row_start = i % static_cast<std::size_t>(kNoveltyLevels) == 0;
    if (rows[i] < low || rows[i] > high || (!row_start && rows[i] < rows[i - 1])) {
      invalid(path, element,
              "class " + std::to_string(i / static_cast<std::size_t>(kNoveltyLevels)) +
                  "'s quantiles are not non-decreasing values in [" + format_number(low) + ", " +
                  format_number(high) + "]");
    }
  }
}

/// The novelty reference fits the model: a profile per class and gene, calibration rows.
void validate_novelty(const FittedModel& model, const std::string& path) {
  const auto& novelty = model.novelty;
  if (novelty.empty()) return;
  const auto n_classes = model.classes.size();
  const auto& profiles = novelty.profiles;
  if (profiles.n_genes != static_cast<std::int64_t>(model.genes().size()) ||
      profiles.rates.size() != n_classes * model.genes().size()) {
    invalid(path, kRatesPath,
            std::to_string(profiles.rates.size()) + " values, expected one per class and gene (" +
                std::to_string(n_classes * model.genes().size()) + ")");
  }
  check_finite(profiles.rates, path, kRatesPath);
  for (const auto rate : profiles.rates) {
    if (rate < 0) invalid(path, kRatesPath, "a rate is negative");
  }
  const auto& deviance = novelty.deviance;
  if (!(std::isfinite(deviance.dispersion) && deviance.dispersion > 0 &&
        deviance.dispersion <= 1e6)) {
    invalid(path, "novelty/dispersion", "must be a number in (0, 1e6]");
  }
  if (deviance.top_genes < 1 || deviance.top_genes > 1000000) {
    invalid(path, "novelty/top_genes", "must be 1 to 1000000");
  }
  check_quantile_rows(novelty.deviance_quantiles, n_classes, 0, std::numeric_limits<float>::max(),
                      path, kDeviancePath);
  if (!novelty.doubt_quantiles.empty()) {
    check_quantile_rows(novelty.doubt_quantiles, n_classes, 0, 1, path, kDoubtPath);
  }
  for (const auto* cells : {&novelty.deviance_cells, &novelty.doubt_cells}) {
    const bool wanted = cells == &novelty.deviance_cells || !novelty.doubt_quantiles.empty();
    if ((wanted ? cells->size() != n_classes : !cells->empty()) ||
        std::any_of(cells->begin(), cells->end(), [](std::int64_t n) { return n < 0; })) {
      invalid(path,
              cells == &novelty.deviance_cells ? "novelty/deviance_cells" : "novelty/doubt_cells",
              "expected a cell count >= 0 per class");
    }
  }
}

}  // namespace

const char* to_string(ComputePath compute) {
  return compute == ComputePath::sparse ? "sparse" : "dense";
}

void validate_fitted_model_description(const FittedModel& model, const std::string& path) {
  validate_description(model, path);
}

void validate_fitted_model(const FittedModel& model, const std::string& path) {
  const auto& pre = model.preprocessing;
  validate_description(model, path);
  const auto n_genes = static_cast<std::int64_t>(pre.genes.size());
  const auto expected = parameter_shapes(model.spec, n_genes);
  if (model.weights.size() != expected.size()) {
    invalid(path, "weights",
            std::to_string(model.weights.size()) + " arrays, the spec '" + model.spec + "' has " +
                std::to_string(expected.size()) + " parameters");
  }
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& w = model.weights[i];
    const auto element = "weights/" + w.name;
    if (w.shape != expected[i]) {
      invalid(path, element,
              "shape " + shape_text(w.shape) + ", the spec implies " + shape_text(expected[i]));
    }
    if (static_cast<std::int64_t>(w.values.size()) != element_count(w.shape)) {
      invalid(
          path, element,
          "holds " + std::to_string(w.values.size()) + " values for shape " + shape_text(w.shape));
    }
    check_finite(w.values, path, element);
  }
  if (!model.marker_attribution.empty()) {
    const auto expected_values = model.classes.size() * pre.genes.size();
    if (model.marker_attribution.size() != expected_values) {
      invalid(path, kAttributionPath,
              std::to_string(model.marker_attribution.size()) +
                  " values, expected one per class and gene (" + std::to_string(expected_values) +
                  ")");
    }
    check_finite(model.marker_attribution, path, kAttributionPath);
  }
  validate_novelty(model, path);
  if (pre.mean.size() != pre.genes.size() || pre.sd.size() != pre.genes.size()) {
    invalid(path, "scaling", "mean and sd need one value per gene");
  }
  if (!(model.temperature >= 0.05 && model.temperature <= 20)) {
    invalid(path, "temperature",
            "is " + std::to_string(model.temperature) + ", expected a number in [0.05, 20]");
  }
  check_finite(pre.mean, path, "scaling/mean");
  check_finite(pre.sd, path, "scaling/sd");
  for (std::size_t g = 0; g < pre.sd.size(); ++g) {
    if (!(pre.sd[g] > 0)) {
      invalid(path, "scaling/sd",
              "gene '" + pre.genes[g] + "' has SD " + std::to_string(pre.sd[g]) +
                  " (every SD must be > 0; a constant gene is stored with SD 1)");
    }
  }
}

}  // namespace scgrad
