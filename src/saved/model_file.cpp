#include "scgrad/saved/model_file.hpp"

#include <chrono>
#include <ctime>

#include "../io/hdf5.hpp"
#include "model_file_layout.hpp"
#include "scgrad/error.hpp"
#include "scgrad/model/layer_spec.hpp"
#include "scgrad/util/output_set.hpp"
#include "scgrad/version.hpp"

namespace scgrad {

using hdf5::Handle;
using hdf5::Location;
using namespace model_file_layout;

namespace {

std::string now_iso8601() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
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

void write_novelty(hid_t root, const FittedModel& model, const Location& where) {
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
NoveltyReference read_novelty(hid_t root, const FittedModel& model, const std::string& path) {
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

void write_model_file(const StagedOutput& output, const FittedModel& model) {
  const auto& path = output.destination();
  validate_fitted_model(model, path);  // never write a model predict would refuse
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
    hdf5::write_double_attribute(pre.get(), "max_value", p.max_value, where);
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

void write_model_file(const std::string& path, const FittedModel& model) {
  OutputSet outputs;
  write_model_file(outputs.add("the model file", path), model);
  outputs.commit();
}

namespace {

/// /weights, in the spec's order, each array's shape checked before it is read.
std::vector<NamedArray> read_weights(hid_t root, const FittedModel& model,
                                     const std::string& path) {
  const auto n_genes = static_cast<std::int64_t>(model.genes().size());
  const auto expected = parameter_shapes(model.spec, n_genes);
  const Location weights_at{path, "weights"};
  Handle weights = hdf5::open_group(root, "weights", weights_at);
  const auto order = hdf5::string_array_attribute(weights.get(), "order", weights_at);
  if (order.size() != expected.size()) {
    hdf5::fail(weights_at, "lists " + std::to_string(order.size()) +
                               " arrays in 'order', the spec '" + model.spec + "' has " +
                               std::to_string(expected.size()) + " parameters");
  }
  std::vector<NamedArray> weights_read;
  for (std::size_t i = 0; i < order.size(); ++i) {
    NamedArray w;
    w.name = order[i];
    w.shape = expected[i];
    w.values = floats_at(weights.get(), w.name, expected[i], Location{path, "weights/" + w.name});
    weights_read.push_back(std::move(w));
  }
  return weights_read;
}

}  // namespace

FittedModel read_model_file(const std::string& path) {
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
  FittedModel model;
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
  // Absent in models written before the clip: no clip, as they were trained.
  p.max_value = hdf5::double_attribute(pre.get(), "max_value", pre_at).value_or(0.0);
  p.library_size_key = required_string(pre.get(), "library_size_key", pre_at);
  p.matrix = required_string(pre.get(), "matrix", pre_at);
  model.label_key = required_string(pre.get(), "label_key", pre_at);

  validate_fitted_model_description(model, path);

  // Arrays: each declared shape is checked against the description before it is read.
  const auto n_genes = static_cast<std::int64_t>(p.genes.size());
  p.mean = floats_at(root, "scaling/mean", {n_genes}, {path, "scaling/mean"});
  p.sd = floats_at(root, "scaling/sd", {n_genes}, {path, "scaling/sd"});
  model.weights = read_weights(root, model, path);
  // Optional (absent for the logistic model and from older files): read when present.
  if (hdf5::exists(root, "markers")) {
    const auto n_classes = static_cast<std::int64_t>(model.classes.size());
    model.marker_attribution =
        floats_at(root, kAttributionPath, {n_classes, n_genes}, {path, kAttributionPath});
  }
  model.novelty = read_novelty(root, model, path);
  validate_fitted_model(model, path);
  model.path = path;
  return model;
}

}  // namespace scgrad
