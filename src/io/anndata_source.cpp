#include "scgrad/io/anndata_source.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
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

void for_each_block(const AnnDataSource& file, const std::string& matrix_key,
                    const std::vector<std::int64_t>& rows, std::int64_t block_rows,
                    const std::function<void(CsrMatrix&&, std::size_t)>& visit) {
  CsrMatrix storage;
  for (std::size_t first = 0; first < rows.size(); first += static_cast<std::size_t>(block_rows)) {
    const auto last = std::min(rows.size(), first + static_cast<std::size_t>(block_rows));
    const std::vector<std::int64_t> block(rows.begin() + static_cast<long>(first),
                                          rows.begin() + static_cast<long>(last));
    auto counts = file.read_rows_into(matrix_key, block, std::move(storage));
    visit(std::move(counts), first);
    storage = std::move(counts);  // what the visitor left of the block: the next one's memory
  }
}

CsrMatrix AnnDataSource::read_rows_into(const std::string& key,
                                        const std::vector<std::int64_t>& rows,
                                        CsrMatrix /*storage*/) const {
  return read_rows(key, rows);
}

std::vector<std::int64_t> all_rows(const AnnDataSource& file) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(file.n_obs()));
  std::iota(rows.begin(), rows.end(), std::int64_t{0});
  return rows;
}

ValueSummary AnnDataSource::value_summary(const std::string& key) const {
  const auto info = matrix_info(key);
  ValueSummary summary;
  summary.min = std::numeric_limits<double>::infinity();
  summary.max = -std::numeric_limits<double>::infinity();
  const auto per_row =
      std::max<std::int64_t>(1, info.stored_values / std::max<std::int64_t>(1, info.n_rows));
  const auto block_rows = std::max<std::int64_t>(1, (std::int64_t{1} << 20) / per_row);
  for_each_block(*this, key, all_rows(*this), block_rows, [&](CsrMatrix&& block, std::size_t) {
    for (const auto v : block.data) summary.add(v);
  });
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
