// libFuzzer target: well-formed HDF5, malformed scgrad model files. The input bytes choose a
// model file's contents — format name and version, model name and hidden size, the layer spec
// (from near-valid specs, huge widths and garbage), classes and genes (counts, repeats, empty
// names), the scaling arrays and every weight array (names, shapes near and far from the
// spec's, values with NaN, Inf, zeros and negatives), the preprocessing numbers — the file is
// written with HDF5, then read with read_model_file, which must refuse every inconsistency
// with scgrad::Error and never crash, hang or allocate from a declared size.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../src/io/hdf5.hpp"
#include "read_like_scgrad.hpp"
#include "scgrad/error.hpp"
#include "scgrad/model/layer_spec.hpp"
#include "scgrad/saved/model_file.hpp"
#include "special_values.hpp"

namespace {

using scgrad::hdf5::Location;

std::vector<std::string> names(FuzzedDataProvider& in, const std::string& prefix,
                               std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    const auto kind = in.ConsumeIntegralInRange<int>(0, 9);
    out.push_back(kind == 0   ? std::string()
                  : kind == 1 ? prefix + "0"  // a repeat
                              : prefix + std::to_string(i));
  }
  return out;
}

std::vector<std::int64_t> shape_near(FuzzedDataProvider& in, std::vector<std::int64_t> shape) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0:
      shape.push_back(1);
      break;  // one dimension more
    case 1:
      if (!shape.empty()) shape.pop_back();
      break;  // one fewer
    case 2:
      if (!shape.empty()) shape[0] += 1;
      break;  // off by one
    default:
      break;  // as the spec says
  }
  return shape;
}

void write_array(hid_t loc, const std::string& name, const std::vector<std::int64_t>& shape,
                 FuzzedDataProvider& in, const Location& where) {
  std::int64_t n = 1;
  for (const auto d : shape) n *= d;
  if (n > 4096) return;  // keep the file small: a missing array is a case too
  std::vector<float> values(static_cast<std::size_t>(n));
  const bool all_special = in.ConsumeBool();
  for (auto& v : values) v = all_special ? scgrad::fuzz::special_value(in) : 0.25F;
  scgrad::hdf5::write_float_array(loc, name, values, shape, where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto& path = scgrad::fuzz::scratch_path();
  try {
    const Location where{path, ""};
    auto file = scgrad::hdf5::create_file(path);
    const auto root = file.get();
    namespace h5 = scgrad::hdf5;
    h5::write_string_attribute(root, "format", in.ConsumeBool() ? "scgrad-model" : "other", where);
    h5::write_double_attribute(root, "format_version", in.ConsumeIntegralInRange<int>(0, 2), where);
    static const char* kModels[] = {"logistic", "mlp", "linear:3,relu,linear:3", "bogus"};
    h5::write_string_attribute(root, "model", in.PickValueInArray(kModels), where);
    h5::write_double_attribute(root, "hidden", in.ConsumeIntegralInRange<int>(-2, 6), where);
    static const char* kCompute[] = {"dense", "sparse", "gpu"};
    h5::write_string_attribute(root, "compute", in.PickValueInArray(kCompute), where);
    static const char* kSpecs[] = {"linear:1,sigmoid",
                                   "linear:3",
                                   "linear:4,sigmoid,linear:1,sigmoid",
                                   "linear:4,sigmoid,linear:3",
                                   "linear:3,relu,linear:3",
                                   "linear:2000000000,relu,linear:3",
                                   "linear:-1",
                                   "linear:x,,",
                                   ""};
    const std::string spec = in.PickValueInArray(kSpecs);
    if (in.ConsumeIntegralInRange<int>(0, 9) > 0) h5::write_strings(root, "spec", {spec}, where);
    const auto n_classes = in.ConsumeIntegralInRange<std::size_t>(0, 4);
    const auto n_genes = in.ConsumeIntegralInRange<std::size_t>(0, 6);
    h5::write_strings(root, "classes", names(in, "class", n_classes), where);
    h5::write_strings(root, "genes", names(in, "gene", n_genes), where);

    auto pre = h5::create_group(root, "preprocess", where);
    h5::write_double_attribute(pre.get(), "min_counts", scgrad::fuzz::special_value(in), where);
    h5::write_double_attribute(pre.get(), "min_cells", 0, where);
    h5::write_double_attribute(pre.get(), "target_sum", scgrad::fuzz::special_value(in), where);
    h5::write_double_attribute(pre.get(), "log_base", scgrad::fuzz::special_value(in), where);
    for (const char* key : {"library_size_key", "matrix", "label_key"}) {
      h5::write_string_attribute(pre.get(), key, key == std::string("matrix") ? "X" : "", where);
    }

    auto scaling = h5::create_group(root, "scaling", where);
    const auto genes = static_cast<std::int64_t>(n_genes);
    write_array(scaling.get(), "mean", shape_near(in, {genes}), in, where);
    write_array(scaling.get(), "sd", shape_near(in, {genes}), in, where);

    // The weights the spec implies (when it parses), each shape maybe bent.
    std::vector<std::vector<std::int64_t>> shapes;
    try {
      shapes = scgrad::parameter_shapes(spec, genes);
    } catch (const scgrad::Error&) {
      shapes = {{1, genes}, {1}};
    }
    auto weights = h5::create_group(root, "weights", where);
    std::vector<std::string> order;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      const auto name = "p" + std::to_string(i);
      order.push_back(name);
      if (in.ConsumeIntegralInRange<int>(0, 9) > 0) {
        write_array(weights.get(), name, shape_near(in, shapes[i]), in, where);
      }
    }
    if (in.ConsumeBool()) order.push_back("extra");
    h5::write_string_array_attribute(weights.get(), "order", order, where);
  } catch (const scgrad::Error&) {
    return 0;  // could not write this layout; nothing to read
  }
  try {
    const auto model = scgrad::read_model_file(path);
    // What the reader accepts is a valid model.
    scgrad::validate_fitted_model(model, path);
  } catch (const scgrad::Error&) {
  }
  return 0;
}
