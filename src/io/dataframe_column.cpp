#include "scgrad/io/dataframe_column.hpp"

#include <cmath>
#include <sstream>
#include <unordered_map>

namespace scgrad {

std::vector<std::int64_t> Categorical::counts() const {
  std::vector<std::int64_t> n(categories.size(), 0);
  for (const auto code : codes) {
    if (code >= 0) ++n[static_cast<std::size_t>(code)];
  }
  return n;
}

std::int64_t DataFrameColumn::size() const {
  switch (kind) {
    case ColumnKind::categorical:
      return static_cast<std::int64_t>(categorical.codes.size());
    case ColumnKind::string:
      return static_cast<std::int64_t>(strings.size());
    default:
      return static_cast<std::int64_t>(numbers.size());
  }
}

namespace {
Categorical factorise(const std::vector<std::string>& values, const std::vector<bool>& missing) {
  Categorical out;
  std::unordered_map<std::string, std::int32_t> code_of;
  out.codes.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!missing.empty() && missing[i]) {
      out.codes.push_back(-1);
      continue;
    }
    auto [it, inserted] =
        code_of.emplace(values[i], static_cast<std::int32_t>(out.categories.size()));
    if (inserted) out.categories.push_back(values[i]);
    out.codes.push_back(it->second);
  }
  return out;
}
}  // namespace

Categorical DataFrameColumn::as_categorical() const {
  if (kind == ColumnKind::categorical) return categorical;
  if (kind == ColumnKind::string) return factorise(strings, {});
  std::vector<std::string> printed;
  std::vector<bool> missing;
  for (const auto v : numbers) {
    printed.push_back(format_number(v));
    missing.push_back(std::isnan(v));
  }
  return factorise(printed, missing);
}

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

const char* to_string(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::categorical:
      return "categorical";
    case ColumnKind::string:
      return "string";
    case ColumnKind::numeric:
      return "numeric";
    case ColumnKind::boolean:
      return "boolean";
  }
  return "unknown";
}

}  // namespace scgrad
