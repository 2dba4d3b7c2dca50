#include "categories.hpp"

namespace scgrad::h5ad {

std::vector<std::string> read_categories(const H5adSource& source, hid_t dataset,
                                         const std::string& element) {
  if (hdf5::is_string_type(dataset)) return hdf5::read_strings(dataset, source.at(element));
  std::vector<std::string> out;
  for (const auto v : hdf5::read_1d<double>(dataset, source.at(element))) {
    out.push_back(format_number(v));
  }
  return out;
}

void check_codes(const H5adSource& source, const Categorical& column, const std::string& element) {
  const auto n = static_cast<std::int32_t>(column.categories.size());
  for (const auto code : column.codes) {
    if (code < -1 || code >= n) {
      hdf5::fail(source.at(element), "categorical code " + std::to_string(code) + " outside [-1, " +
                                         std::to_string(n) + ")");
    }
  }
}

}  // namespace scgrad::h5ad
