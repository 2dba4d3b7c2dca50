#pragma once
// What a matrix element (X, raw/X, layers/NAME) is, from its metadata only: storage (dense,
// CSR, CSC), shape, dtype, stored entries — checked against the obs and var dataframes.

#include <string>
#include <vector>

#include "h5ad_source.hpp"
#include "scgrad/io/h5ad_reader.hpp"

namespace scgrad::h5ad {

/// The matrices present: "X", "raw/X", then "layers/NAME" for each layer.
std::vector<std::string> matrix_keys(const H5adSource& source);

/// The dataframe naming the matrix's genes: raw/var (or 0.6's raw.var) for raw/X, else var.
std::string var_dataframe_of(const H5adSource& source, const std::string& key);

/// The matrix `key` (canonical: "X", "raw/X", "layers/NAME"); errors name what is wrong.
MatrixInfo read_matrix_info(const H5adSource& source, const std::string& key);

}  // namespace scgrad::h5ad
