#include "scgrad/io/model_file.hpp"

#include <chrono>
#include <ctime>

#include "hdf5.hpp"
#include "scgrad/error.hpp"
#include "scgrad/util/atomic_output.hpp"

namespace scgrad {

using hdf5::Handle;
using hdf5::Location;

namespace {

constexpr const char* kFormatName = "scgrad-model";

std::string now_iso8601() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

double double_attribute(hid_t obj, const std::string& name, const Location& where) {
  if (H5Aexists(obj, name.c_str()) <= 0) hdf5::fail(where, "missing attribute '" + name + "'");
  Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
  double value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
    hdf5::fail(where, "attribute '" + name + "' is not a number");
  }
  return value;
}

std::string required_string(hid_t obj, const std::string& name, const Location& where) {
  auto value = hdf5::string_attribute(obj, name, where);
  if (!value) hdf5::fail(where, "missing attribute '" + name + "'");
  return *value;
}

std::vector<std::string> strings_at(hid_t file, const std::string& name, const Location& where) {
  if (!hdf5::is_dataset(file, name)) hdf5::fail(Location{where.file, name}, "missing dataset");
  Handle ds = hdf5::open_dataset(file, name, Location{where.file, name});
  return hdf5::read_strings(ds.get(), Location{where.file, name});
}

std::vector<float> floats_at(hid_t file, const std::string& name, const Location& where) {
  if (!hdf5::is_dataset(file, name)) hdf5::fail(Location{where.file, name}, "missing dataset");
  Handle ds = hdf5::open_dataset(file, name, Location{where.file, name});
  return hdf5::read_float_array(ds.get(), Location{where.file, name}, nullptr);
}

}  // namespace

void write_model_file(const std::string& path, const ModelFile& model) {
  AtomicOutput output(path);
  {
    const Location where{path, ""};
    Handle file = hdf5::create_file(output.temporary_path());
    const auto root = file.get();
    hdf5::write_string_attribute(root, "format", kFormatName, where);
    hdf5::write_double_attribute(root, "format_version", kModelFormatVersion, where);
    hdf5::write_string_attribute(root, "scgrad_version", SCGRAD_VERSION, where);
    hdf5::write_string_attribute(root, "created", now_iso8601(), where);
    hdf5::write_string_attribute(root, "model", model.model, where);
    hdf5::write_double_attribute(root, "hidden", static_cast<double>(model.hidden), where);
    hdf5::write_strings(root, "spec", {model.spec}, where);
    hdf5::write_strings(root, "classes", model.classes, where);
    hdf5::write_strings(root, "genes", model.genes, where);
    hdf5::write_string_attribute(root, "gene_key", model.gene_key, where);
    hdf5::write_string_attribute(root, "compute", model.compute, where);

    Handle pre = hdf5::create_group(root, "preprocess", where);
    hdf5::write_double_attribute(pre.get(), "min_counts", model.min_counts, where);
    hdf5::write_double_attribute(pre.get(), "min_cells", static_cast<double>(model.min_cells),
                                 where);
    hdf5::write_double_attribute(pre.get(), "target_sum", model.target_sum, where);
    hdf5::write_double_attribute(pre.get(), "log_base", model.log_base, where);
    hdf5::write_string_attribute(pre.get(), "library_size_key", model.library_size_key, where);
    hdf5::write_string_attribute(pre.get(), "matrix", model.matrix, where);
    hdf5::write_string_attribute(pre.get(), "label_key", model.label_key, where);

    Handle scaling = hdf5::create_group(root, "scaling", where);
    const auto n_genes = static_cast<std::int64_t>(model.genes.size());
    hdf5::write_float_array(scaling.get(), "mean", model.scaling_mean, {n_genes}, where);
    hdf5::write_float_array(scaling.get(), "sd", model.scaling_sd, {n_genes}, where);

    Handle weights = hdf5::create_group(root, "weights", where);
    std::vector<std::string> order;
    for (const auto& w : model.weights) {
      hdf5::write_float_array(weights.get(), w.name, w.values, w.shape, where);
      order.push_back(w.name);
    }
    hdf5::write_string_array_attribute(weights.get(), "order", order, where);

    Handle training = hdf5::create_group(root, "training", where);
    for (const auto& [key, value] : model.training_numbers) {
      hdf5::write_double_attribute(training.get(), key, value, where);
    }
    for (const auto& [key, value] : model.training_strings) {
      hdf5::write_string_attribute(training.get(), key, value, where);
    }
    if (H5Fflush(root, H5F_SCOPE_GLOBAL) < 0) hdf5::fail(where, "cannot flush the model file");
  }
  output.commit();
}

ModelFile read_model_file(const std::string& path) {
  Handle file = hdf5::open_file_read_only(path);
  const auto root = file.get();
  const Location where{path, ""};
  const auto format = hdf5::string_attribute(root, "format", where);
  if (format != kFormatName) {
    throw Error(path + ": not an scgrad model file (its 'format' attribute is '" +
                format.value_or("(none)") + "', expected '" + kFormatName +
                "'); make one with `scgrad train ... --out MODEL.h5`");
  }
  const auto version = static_cast<int>(double_attribute(root, "format_version", where));
  if (version > kModelFormatVersion) {
    throw Error(path + ": model file format version " + std::to_string(version) +
                " is newer than this scgrad reads (" + std::to_string(kModelFormatVersion) +
                "); update scgrad");
  }
  ModelFile model;
  model.model = required_string(root, "model", where);
  model.hidden = static_cast<std::int64_t>(double_attribute(root, "hidden", where));
  model.spec = strings_at(root, "spec", where).at(0);
  model.classes = strings_at(root, "classes", where);
  model.genes = strings_at(root, "genes", where);
  model.gene_key = hdf5::string_attribute(root, "gene_key", where).value_or("");
  model.compute = hdf5::string_attribute(root, "compute", where).value_or("dense");

  const Location pre_at{path, "preprocess"};
  Handle pre = hdf5::open_group(root, "preprocess", pre_at);
  model.min_counts = double_attribute(pre.get(), "min_counts", pre_at);
  model.min_cells = static_cast<std::int64_t>(double_attribute(pre.get(), "min_cells", pre_at));
  model.target_sum = double_attribute(pre.get(), "target_sum", pre_at);
  model.log_base = double_attribute(pre.get(), "log_base", pre_at);
  model.library_size_key = required_string(pre.get(), "library_size_key", pre_at);
  model.matrix = required_string(pre.get(), "matrix", pre_at);
  model.label_key = required_string(pre.get(), "label_key", pre_at);

  model.scaling_mean = floats_at(root, "scaling/mean", where);
  model.scaling_sd = floats_at(root, "scaling/sd", where);
  if (model.scaling_mean.size() != model.genes.size() ||
      model.scaling_sd.size() != model.genes.size()) {
    hdf5::fail(Location{path, "scaling"}, "mean and sd need one value per gene");
  }

  const Location weights_at{path, "weights"};
  Handle weights = hdf5::open_group(root, "weights", weights_at);
  for (const auto& name : hdf5::string_array_attribute(weights.get(), "order", weights_at)) {
    NamedArray w;
    w.name = name;
    Handle ds = hdf5::open_dataset(weights.get(), name, Location{path, "weights/" + name});
    w.values = hdf5::read_float_array(ds.get(), Location{path, "weights/" + name}, &w.shape);
    model.weights.push_back(std::move(w));
  }
  return model;
}

}  // namespace scgrad
