#include "scgrad/io/anndata_source.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "scgrad/error.hpp"

namespace scgrad {

const char* to_string(MatrixStorage storage) {
  switch (storage) {
    case MatrixStorage::dense:
      return "dense";
    case MatrixStorage::csr:
      return "csr_matrix";
    case MatrixStorage::csc:
      return "csc_matrix";
  }
  return "unknown";
}

std::string AnnDataSource::resolve_matrix_key(const std::string& key) const {
  const auto keys = matrix_keys();
  const auto present = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  // Checked here, so that a missing raw/X is named as such (not as a missing raw/var).
  const auto resolved = key == "raw" ? std::string("raw/X") : key;
  if (present(resolved)) return resolved;
  if (present("layers/" + key)) return "layers/" + key;
  throw no_matrix(key);
}

void ValueSummary::add(double value) {
  if (!std::isfinite(value)) {
    ++non_finite;
    return;
  }
  min = std::min(min, value);
  max = std::max(max, value);
  if (value < 0) ++negative;
  if (all_integer && value != std::floor(value)) all_integer = false;
}

ValueSummary AnnDataSource::value_summary(const std::string& key) const {
  const auto info = matrix_info(key);
  ValueSummary summary;
  summary.min = std::numeric_limits<double>::infinity();
  summary.max = -std::numeric_limits<double>::infinity();
  const auto per_row =
      std::max<std::int64_t>(1, info.stored_values / std::max<std::int64_t>(1, info.n_rows));
  const auto block = std::max<std::int64_t>(1, (std::int64_t{1} << 20) / per_row);
  for (std::int64_t first = 0; first < info.n_rows; first += block) {
    std::vector<std::int64_t> rows;
    for (auto r = first; r < std::min(info.n_rows, first + block); ++r) rows.push_back(r);
    for (const auto v : read_rows(key, rows).data) summary.add(v);
  }
  return summary;
}

InputError AnnDataSource::no_matrix(const std::string& key) const {
  std::string present;
  for (const auto& k : matrix_keys()) present += (present.empty() ? "" : ", ") + k;
  return InputError(path(), "",
                    "no matrix '" + key + "'; the matrices present are: " +
                        (present.empty() ? "(none)" : present) + " (use X, raw, or a layer name)",
                    {"matrix"});
}

void check_row_numbers(const std::vector<std::int64_t>& rows, std::int64_t n_rows,
                       const char* caller) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= n_rows || (i > 0 && rows[i] <= rows[i - 1])) {
      throw OptionError(std::string(caller) +
                        ": row numbers must be ascending, distinct and below " +
                        std::to_string(n_rows));
    }
  }
}

}  // namespace scgrad
