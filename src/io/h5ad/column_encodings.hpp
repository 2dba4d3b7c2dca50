#pragma once
// Reading one dataframe column (anndata >= 0.7 group dataframes), dispatched on the element's
// `encoding-type` and `encoding-version` attributes through a registry, as anndata's own
// reader does (anndata/_io/specs/registry.py). Elements without an encoding (anndata 0.7)
// are read by the unencoded-column reader.

#include <string>
#include <vector>

#include "h5ad_source.hpp"
#include "scgrad/io/dataframe_column.hpp"

namespace scgrad::h5ad {

/// The element at `path` (a group or a dataset) as a column named `name`.
DataFrameColumn read_column_element(const H5adSource& source, const std::string& path,
                                    const std::string& name);

/// "categorical 0.2.0, string-array 0.2.0, ..." — the encodings the registry reads.
std::vector<std::string> supported_column_encodings();

}  // namespace scgrad::h5ad
