#pragma once
/// @file dataframe_column.hpp
/// One column of an AnnData `obs` or `var` dataframe, whatever its on-disk encoding.

#include <cstdint>
#include <string>
#include <vector>

namespace scgrad {

enum class ColumnKind { categorical, string, numeric, boolean };

/// Labels as a pandas Categorical: `categories[codes[i]]`, code -1 for a missing value.
struct Categorical {
  std::vector<std::string> categories;
  std::vector<std::int32_t> codes;

  /// Number of cells carrying each category, in category order.
  std::vector<std::int64_t> counts() const;
};

/// A dataframe column. Exactly one of the value vectors is filled, by `kind`:
/// categorical → `categorical`; string → `strings`; numeric and boolean → `numbers`
/// (NaN where a nullable column is masked; booleans as 0/1).
struct DataFrameColumn {
  std::string name;
  ColumnKind kind = ColumnKind::numeric;
  std::string dtype;  ///< storage type as written, e.g. "int8 codes", "float64", "string"
  Categorical categorical;
  std::vector<std::string> strings;
  std::vector<double> numbers;

  std::int64_t size() const;

  /// The column as categories + codes: categoricals as stored; strings and numbers factorised
  /// in order of first appearance (numbers printed without trailing zeros).
  Categorical as_categorical() const;
};

/// A number as a category name: shortest form, no trailing zeros ("3", "0.5").
std::string format_number(double value);

/// "categorical", "string", "numeric" or "boolean".
const char* to_string(ColumnKind kind);

}  // namespace scgrad
