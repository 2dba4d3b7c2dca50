#pragma once
// An AnnData dataframe (obs, var, raw/var): its index, its column names and one column, in
// any layout — a group with one element per column (anndata >= 0.7; columns through the
// encoding registry) or a record array (anndata 0.6).

#include <cstdint>
#include <string>
#include <vector>

#include "h5ad_source.hpp"
#include "scgrad/io/dataframe_column.hpp"

namespace scgrad::h5ad::dataframe {

/// Where the dataframe `name` is stored: anndata 0.6 wrote "raw.var" for "raw/var".
std::string path_of(const H5adSource& source, const std::string& name);

std::vector<std::string> index(const H5adSource& source, const std::string& df);
std::int64_t length(const H5adSource& source, const std::string& df);
std::vector<std::string> column_names(const H5adSource& source, const std::string& df);
/// The column `name`; an error listing the columns when there is none.
DataFrameColumn column(const H5adSource& source, const std::string& df, const std::string& name);

}  // namespace scgrad::h5ad::dataframe
