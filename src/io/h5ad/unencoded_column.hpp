#pragma once
// anndata 0.7 columns carry no encoding attributes: a dataset of strings or numbers, or of
// integer codes whose `categories` attribute is an object reference to
// <dataframe>/__categories/<column>.

#include <string>

#include "h5ad_source.hpp"
#include "scgrad/io/dataframe_column.hpp"

namespace scgrad::h5ad {

DataFrameColumn read_unencoded_column(const H5adSource& source, hid_t dataset,
                                      const std::string& path, const std::string& name);

}  // namespace scgrad::h5ad
