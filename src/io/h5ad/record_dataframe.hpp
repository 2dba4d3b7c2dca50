#pragma once
// anndata 0.6 and earlier: a dataframe stored as one record array (an HDF5 compound dataset
// with an "index" field), categoricals as integer codes with categories in
// uns/<column>_categories.

#include <string>
#include <vector>

#include "h5ad_source.hpp"
#include "scgrad/io/dataframe_column.hpp"

namespace scgrad::h5ad::record_dataframe {

/// `df` is stored as a record array (anndata < 0.7).
bool is_record_array(const H5adSource& source, const std::string& df);

std::vector<std::string> column_names(const H5adSource& source, const std::string& df);
std::vector<std::string> index(const H5adSource& source, const std::string& df);
std::int64_t length(const H5adSource& source, const std::string& df);
/// The column `name` (present: the caller checked column_names).
DataFrameColumn column(const H5adSource& source, const std::string& df, const std::string& name);

}  // namespace scgrad::h5ad::record_dataframe
