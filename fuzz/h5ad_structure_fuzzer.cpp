// libFuzzer target: well-formed HDF5, malformed AnnData. The input bytes choose an .h5ad's
// layout — the sizes of obs and var, a label column's codes and categories, the matrix's
// encoding, shape attribute, indptr, indices and values (NaN, Inf, negatives included) — the
// file is written with HDF5, then read as scgrad reads it. This reaches scgrad's own checks,
// which byte-level mutations of HDF5 metadata mostly do not get past.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../src/io/anndata_encoding.hpp"
#include "../src/io/hdf5.hpp"
#include "read_like_scgrad.hpp"
#include "scgrad/error.hpp"
#include "special_values.hpp"

namespace {

using scgrad::hdf5::Location;

template <typename T>
std::vector<T> numbers(FuzzedDataProvider& in, std::size_t max_count, T low, T high) {
  std::vector<T> out(in.ConsumeIntegralInRange<std::size_t>(0, max_count));
  for (auto& v : out) v = in.ConsumeIntegralInRange<T>(low, high);
  return out;
}

std::vector<float> values(FuzzedDataProvider& in, std::size_t count) {
  std::vector<float> out(count);
  for (auto& v : out) v = scgrad::fuzz::special_value(in);
  return out;
}

std::vector<std::string> names(const std::string& prefix, std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

void write_dataframe(hid_t root, const char* name, std::size_t rows, FuzzedDataProvider& in,
                     const Location& where) {
  auto group = scgrad::hdf5::create_group(root, name, where);
  if (in.ConsumeBool()) scgrad::anndata::set_encoding(group.get(), "dataframe", "0.2.0", where);
  scgrad::hdf5::write_string_attribute(group.get(), "_index", in.ConsumeBool() ? "_index" : "idx",
                                       where);
  scgrad::anndata::write_string_array(group.get(), "_index", names("n", rows), where);
  if (std::string(name) == "obs" && in.ConsumeBool()) {  // a label column, maybe inconsistent
    scgrad::Categorical labels;
    labels.categories = names("type", in.ConsumeIntegralInRange<std::size_t>(0, 4));
    labels.codes = numbers<std::int32_t>(in, rows + 2, -2, 5);
    try {
      scgrad::anndata::write_categorical(group.get(), "label", labels, where);
    } catch (const scgrad::Error&) {
    }
  }
}

void write_matrix(hid_t root, FuzzedDataProvider& in, const Location& where) {
  const auto kind = in.ConsumeIntegralInRange<int>(0, 3);
  if (kind == 0) {  // dense, any shape
    const auto rows = in.ConsumeIntegralInRange<std::int64_t>(0, 12);
    const auto cols = in.ConsumeIntegralInRange<std::int64_t>(0, 12);
    scgrad::hdf5::write_float_array(root, "X", values(in, static_cast<std::size_t>(rows * cols)),
                                    {rows, cols}, where);
    return;
  }
  auto group = scgrad::hdf5::create_group(root, "X", where);
  const char* encodings[] = {"csr_matrix", "csc_matrix", "coo_matrix"};
  scgrad::anndata::set_encoding(group.get(), encodings[kind - 1], "0.1.0", where);
  if (in.ConsumeBool()) {
    scgrad::hdf5::write_integer_array_attribute(group.get(), "shape",
                                                numbers<std::int64_t>(in, 3, -1, 14), where);
  }
  scgrad::hdf5::write_1d(group.get(), "indptr", numbers<std::int64_t>(in, 14, -2, 40), where);
  const auto indices = numbers<std::int32_t>(in, 40, -2, 14);
  scgrad::hdf5::write_1d(group.get(), "indices", indices, where);
  const auto n_values =
      in.ConsumeBool() ? indices.size() : in.ConsumeIntegralInRange<std::size_t>(0, 40);
  scgrad::hdf5::write_1d(group.get(), "data", values(in, n_values), where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto& path = scgrad::fuzz::scratch_path();
  try {
    const Location where{path, ""};
    auto file = scgrad::hdf5::create_file(path);
    const auto n_obs = in.ConsumeIntegralInRange<std::size_t>(0, 12);
    const auto n_vars = in.ConsumeIntegralInRange<std::size_t>(0, 12);
    if (in.ConsumeIntegralInRange<int>(0, 9) > 0)
      write_dataframe(file.get(), "obs", n_obs, in, where);
    if (in.ConsumeIntegralInRange<int>(0, 9) > 0)
      write_dataframe(file.get(), "var", n_vars, in, where);
    write_matrix(file.get(), in, where);
  } catch (const scgrad::Error&) {
    return 0;  // could not write this layout; nothing to read
  }
  scgrad::fuzz::read_like_scgrad(path);
  return 0;
}
