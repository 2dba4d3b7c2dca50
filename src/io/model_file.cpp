#include "scgrad/io/model_file.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <set>

#include "hdf5.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/dataframe_column.hpp"
#include "scgrad/model/layer_spec.hpp"
#include "scgrad/util/output_set.hpp"
#include "scgrad/version.hpp"

namespace scgrad {

using hdf5::Handle;
using hdf5::Location;

namespace {

constexpr const char* kFormatName = "scgrad-model";
constexpr const char* kAttributionPath = "markers/gradient_x_input";
constexpr const char* kRatesPath = "novelty/type_rates";
constexpr const char* kDeviancePath = "novelty/deviance_quantiles";
constexpr const char* kDoubtPath = "novelty/doubt_quantiles";

std::string now_iso8601() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

double required_number(hid_t obj, const std::string& name, const Location& where) {
  const auto value = hdf5::double_attribute(obj, name, where);
  if (!value) hdf5::fail(where, "missing attribute '" + name + "'");
  return *value;
}

std::string required_string(hid_t obj, const std::string& name, const Location& where) {
  auto value = hdf5::string_attribute(obj, name, where);
  if (!value) hdf5::fail(where, "missing attribute '" + name + "'");
  return *value;
}

/// Deflate cannot compress more than ~1032:1, so a dataset that declares more values than its
/// stored bytes could hold is damaged; refusing it keeps a tiny file from asking for gigabytes.
void check_declared_size(hid_t dataset, std::int64_t values, std::int64_t value_bytes,
                         const Location& where) {
  const auto stored = hdf5::storage_size(dataset);
  if (values > 0 && values * value_bytes > 1032 * stored + 4096) {
    hdf5::fail(where, "declares " + std::to_string(values) + " values but stores only " +
                          std::to_string(stored) + " bytes (damaged file)");
  }
}

/// The dataset `name` of `group`; `at` names it in messages (its path from the file's root).
Handle dataset_at(hid_t group, const std::string& name, const Location& at) {
  if (!hdf5::is_dataset(group, name)) hdf5::fail(at, "missing dataset");
  return hdf5::open_dataset(group, name, at);
}

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

std::vector<std::string> strings_at(hid_t file, const std::string& name, const Location& where) {
  const Location at{where.file, name};
  Handle ds = dataset_at(file, name, at);
  const auto shape = hdf5::shape(ds.get());
  if (shape.size() != 1) hdf5::fail(at, "expected a one-dimensional array of strings");
  check_declared_size(ds.get(), shape[0], 1, at);
  return hdf5::read_strings(ds.get(), at);
}

/// A float array whose declared shape must be `expected` before anything is read.
std::vector<float> floats_at(hid_t group, const std::string& name,
                             const std::vector<std::int64_t>& expected, const Location& at) {
  Handle ds = dataset_at(group, name, at);
  const auto shape = hdf5::shape(ds.get());
  if (shape != expected) {
    hdf5::fail(at, "has shape " + shape_text(shape) + ", the model's description implies " +
                       shape_text(expected));
  }
  if (!hdf5::is_numeric_type(ds.get())) {
    hdf5::fail(at, "has type " + hdf5::dtype_name(ds.get()) + ", expected numbers");
  }
  check_declared_size(ds.get(), element_count(shape), 4, at);
  return hdf5::read_float_array(ds.get(), at, nullptr);
}

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
void validate_description(const ModelFile& model, const std::string& path) {
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
void validate_novelty(const ModelFile& model, const std::string& path) {
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

std::vector<std::vector<std::int64_t>> parameter_shapes(const std::string& spec,
                                                        std::int64_t n_genes) {
  std::vector<std::vector<std::int64_t>> shapes;
  auto inputs = n_genes;
  for (const auto& layer : parse_layer_spec(spec)) {
    if (layer.kind != LayerSpec::Kind::linear) continue;
    shapes.push_back({layer.units, inputs});
    shapes.push_back({layer.units});
    inputs = layer.units;
  }
  return shapes;
}

void validate_model_file(const ModelFile& model, const std::string& path) {
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

namespace {

void write_novelty(hid_t root, const ModelFile& model, const Location& where) {
  const auto& novelty = model.novelty;
  const auto n_classes = static_cast<std::int64_t>(model.classes.size());
  Handle group = hdf5::create_group(root, "novelty", where);
  const auto g = group.get();
  hdf5::write_float_array(g, "type_rates", novelty.profiles.rates,
                          {n_classes, novelty.profiles.n_genes}, where);
  hdf5::write_float_array(g, "deviance_quantiles", novelty.deviance_quantiles,
                          {n_classes, kNoveltyLevels}, where);
  hdf5::write_integer_array_attribute(g, "deviance_cells", novelty.deviance_cells, where);
  if (!novelty.doubt_quantiles.empty()) {
    hdf5::write_float_array(g, "doubt_quantiles", novelty.doubt_quantiles,
                            {n_classes, kNoveltyLevels}, where);
    hdf5::write_integer_array_attribute(g, "doubt_cells", novelty.doubt_cells, where);
  }
  hdf5::write_double_attribute(g, "dispersion", novelty.deviance.dispersion, where);
  hdf5::write_double_attribute(g, "top_genes", novelty.deviance.top_genes, where);
  hdf5::write_string_attribute(
      g, "description",
      "type_rates: per class (rows, /classes) and gene (columns, /genes) the mean count per "
      "10,000 of the class's training cells. deviance_quantiles: per class, the quantile "
      "function at levels 0, 0.001, ..., 1 of the sum of a reference cell's top_genes largest "
      "negative-binomial deviances (dispersion) above its class's rates without it. "
      "doubt_quantiles: the same for 1 - confidence of the validation cells predicted as the "
      "class. *_cells: the cells each row comes from (0: every class pooled)",
      where);
}

/// /novelty, when present (files before it have none).
NoveltyReference read_novelty(hid_t root, const ModelFile& model, const std::string& path) {
  NoveltyReference novelty;
  if (!hdf5::exists(root, "novelty")) return novelty;
  const Location at{path, "novelty"};
  Handle group = hdf5::open_group(root, "novelty", at);
  const auto g = group.get();
  const auto n_classes = static_cast<std::int64_t>(model.classes.size());
  const auto n_genes = static_cast<std::int64_t>(model.genes().size());
  novelty.profiles.n_genes = n_genes;
  novelty.profiles.rates = floats_at(root, kRatesPath, {n_classes, n_genes}, {path, kRatesPath});
  novelty.deviance_quantiles =
      floats_at(root, kDeviancePath, {n_classes, kNoveltyLevels}, {path, kDeviancePath});
  novelty.deviance_cells =
      hdf5::integer_array_attribute(g, "deviance_cells", at).value_or(std::vector<std::int64_t>{});
  if (hdf5::exists(root, kDoubtPath)) {
    novelty.doubt_quantiles =
        floats_at(root, kDoubtPath, {n_classes, kNoveltyLevels}, {path, kDoubtPath});
    novelty.doubt_cells =
        hdf5::integer_array_attribute(g, "doubt_cells", at).value_or(std::vector<std::int64_t>{});
  }
  novelty.deviance.dispersion = required_number(g, "dispersion", at);
  const auto top = required_number(g, "top_genes", at);
  if (!(top >= 1 && top <= 1000000)) invalid(path, "novelty/top_genes", "must be 1 to 1000000");
  novelty.deviance.top_genes = static_cast<int>(top);
  return novelty;
}

}  // namespace

void write_model_file(const StagedOutput& output, const ModelFile& model) {
  const auto& path = output.destination();
  validate_model_file(model, path);  // never write a model predict would refuse
  const auto& p = model.preprocessing;
  {
    const Location where{path, ""};
    Handle file = hdf5::create_file(output.path(), path);
    const auto root = file.get();
    hdf5::write_string_attribute(root, "format", kFormatName, where);
    hdf5::write_double_attribute(root, "format_version", kModelFormatVersion, where);
    hdf5::write_string_attribute(root, "scgrad_version", SCGRAD_VERSION, where);
    hdf5::write_string_attribute(root, "created", now_iso8601(), where);
    hdf5::write_string_attribute(root, "model", model.model, where);
    hdf5::write_double_attribute(root, "hidden", static_cast<double>(model.hidden), where);
    hdf5::write_strings(root, "spec", {model.spec}, where);
    hdf5::write_strings(root, "classes", model.classes, where);
    hdf5::write_strings(root, "genes", p.genes, where);
    hdf5::write_string_attribute(root, "gene_key", p.gene_key, where);
    hdf5::write_string_attribute(root, "compute", to_string(model.compute), where);
    hdf5::write_double_attribute(root, "temperature", model.temperature, where);

    Handle pre = hdf5::create_group(root, "preprocess", where);
    hdf5::write_double_attribute(pre.get(), "min_counts", p.gene_filter.min_counts, where);
    hdf5::write_double_attribute(pre.get(), "min_cells",
                                 static_cast<double>(p.gene_filter.min_cells), where);
    hdf5::write_double_attribute(pre.get(), "target_sum", p.log_cpm.target_sum, where);
    hdf5::write_double_attribute(pre.get(), "log_base", p.log_cpm.log_base, where);
    hdf5::write_string_attribute(pre.get(), "library_size_key", p.library_size_key, where);
    hdf5::write_string_attribute(pre.get(), "matrix", p.matrix, where);
    hdf5::write_string_attribute(pre.get(), "label_key", model.label_key, where);

    Handle scaling = hdf5::create_group(root, "scaling", where);
    const auto n_genes = static_cast<std::int64_t>(p.genes.size());
    hdf5::write_float_array(scaling.get(), "mean", p.mean, {n_genes}, where);
    hdf5::write_float_array(scaling.get(), "sd", p.sd, {n_genes}, where);

    Handle weights = hdf5::create_group(root, "weights", where);
    std::vector<std::string> order;
    for (const auto& w : model.weights) {
      hdf5::write_float_array(weights.get(), w.name, w.values, w.shape, where);
      order.push_back(w.name);
    }
    hdf5::write_string_array_attribute(weights.get(), "order", order, where);

    if (!model.marker_attribution.empty()) {
      Handle markers = hdf5::create_group(root, "markers", where);
      hdf5::write_float_array(markers.get(), "gradient_x_input", model.marker_attribution,
                              {static_cast<std::int64_t>(model.classes.size()), n_genes}, where);
      hdf5::write_string_attribute(
          markers.get(), "description",
          "per class (rows, in the order of /classes) and gene (columns, /genes): the mean over "
          "the class's training cells of x * d(s_c)/dx, x the scaled genes, s_c the class's "
          "centred logit (two classes: +/- the log-odds of the first)",
          where);
    }

    if (!model.novelty.empty()) write_novelty(root, model, where);

    Handle training = hdf5::create_group(root, "training", where);
    for (const auto& [key, value] : model.training_numbers) {
      hdf5::write_double_attribute(training.get(), key, value, where);
    }
    for (const auto& [key, value] : model.training_strings) {
      hdf5::write_string_attribute(training.get(), key, value, where);
    }
    hdf5::flush(root, where);
  }
}

void write_model_file(const std::string& path, const ModelFile& model) {
  OutputSet outputs;
  write_model_file(outputs.add("the model file", path), model);
  outputs.commit();
}

ModelFile read_model_file(const std::string& path) {
  Handle file = hdf5::open_file_read_only(path);
  const auto root = file.get();
  const Location where{path, ""};
  const auto format = hdf5::string_attribute(root, "format", where);
  if (format != kFormatName) {
    throw InputError(path, "",
                     "not an scgrad model file (its 'format' attribute is '" +
                         format.value_or("(none)") + "', expected '" + kFormatName +
                         "'); model files are written by scgrad::save (the scgrad program's "
                         "train command)");
  }
  const auto version = static_cast<int>(required_number(root, "format_version", where));
  if (version > kModelFormatVersion) {
    throw InputError(path, "",
                     "model file format version " + std::to_string(version) +
                         " is newer than this scgrad reads (" +
                         std::to_string(kModelFormatVersion) + "); update scgrad");
  }
  ModelFile model;
  auto& p = model.preprocessing;
  model.model = required_string(root, "model", where);
  model.hidden = static_cast<std::int64_t>(required_number(root, "hidden", where));
  const auto spec = strings_at(root, "spec", where);
  if (spec.size() != 1) {
    hdf5::fail(Location{path, "spec"},
               "holds " + std::to_string(spec.size()) + " strings, expected one layer spec");
  }
  model.spec = spec.front();
  model.classes = strings_at(root, "classes", where);
  p.genes = strings_at(root, "genes", where);
  p.gene_key = hdf5::string_attribute(root, "gene_key", where).value_or("");
  const auto compute = hdf5::string_attribute(root, "compute", where).value_or("dense");
  if (compute != "dense" && compute != "sparse") {
    invalid(path, "compute", "'" + compute + "', expected 'dense' or 'sparse'");
  }
  model.compute = compute == "sparse" ? ComputePath::sparse : ComputePath::dense;
  model.temperature = hdf5::double_attribute(root, "temperature", where).value_or(1.0);

  const Location pre_at{path, "preprocess"};
  Handle pre = hdf5::open_group(root, "preprocess", pre_at);
  p.gene_filter.min_counts = required_number(pre.get(), "min_counts", pre_at);
  p.gene_filter.min_cells =
      static_cast<std::int64_t>(required_number(pre.get(), "min_cells", pre_at));
  p.log_cpm.target_sum = required_number(pre.get(), "target_sum", pre_at);
  p.log_cpm.log_base = required_number(pre.get(), "log_base", pre_at);
  p.library_size_key = required_string(pre.get(), "library_size_key", pre_at);
  p.matrix = required_string(pre.get(), "matrix", pre_at);
  model.label_key = required_string(pre.get(), "label_key", pre_at);

  validate_description(model, path);

  // Arrays: each declared shape is checked against the description before it is read.
  const auto n_genes = static_cast<std::int64_t>(p.genes.size());
  p.mean = floats_at(root, "scaling/mean", {n_genes}, {path, "scaling/mean"});
  p.sd = floats_at(root, "scaling/sd", {n_genes}, {path, "scaling/sd"});
  const auto expected = parameter_shapes(model.spec, n_genes);
  const Location weights_at{path, "weights"};
  Handle weights = hdf5::open_group(root, "weights", weights_at);
  const auto order = hdf5::string_array_attribute(weights.get(), "order", weights_at);
  if (order.size() != expected.size()) {
    hdf5::fail(weights_at, "lists " + std::to_string(order.size()) +
                               " arrays in 'order', the spec '" + model.spec + "' has " +
                               std::to_string(expected.size()) + " parameters");
  }
  for (std::size_t i = 0; i < order.size(); ++i) {
    NamedArray w;
    w.name = order[i];
    w.shape = expected[i];
    w.values = floats_at(weights.get(), w.name, expected[i], Location{path, "weights/" + w.name});
    model.weights.push_back(std::move(w));
  }
  // Optional (absent for the logistic model and from older files): read when present.
  if (hdf5::exists(root, "markers")) {
    const auto n_classes = static_cast<std::int64_t>(model.classes.size());
    model.marker_attribution =
        floats_at(root, kAttributionPath, {n_classes, n_genes}, {path, kAttributionPath});
  }
  model.novelty = read_novelty(root, model, path);
  validate_model_file(model, path);
  model.path = path;
  return model;
}

}  // namespace scgrad
