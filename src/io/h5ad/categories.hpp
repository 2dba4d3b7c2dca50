#pragma once
// Categorical columns in any layout: the categories (strings, or numbers printed as names) and
// a check that every code points at one.

#include <string>
#include <vector>

#include "h5ad_source.hpp"
#include "scgrad/io/dataframe_column.hpp"

namespace scgrad::h5ad {

/// A categories dataset: strings as stored, numbers formatted ("3", "0.5").
std::vector<std::string> read_categories(const H5adSource& source, hid_t dataset,
                                         const std::string& element);

/// Every code is -1 (missing) or names a category.
void check_codes(const H5adSource& source, const Categorical& column, const std::string& element);

}  // namespace scgrad::h5ad
