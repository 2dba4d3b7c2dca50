#pragma once
/// @file open_anndata.hpp
/// The one door from a user's path to its cells: fit, predict and the exercise open files here,
/// so a new input format (10x HDF5, Matrix Market, loom: issue 32) is added in one place.

#include <memory>
#include <string>

#include "scgrad/io/anndata_source.hpp"

namespace scgrad {

/// The file at `path` as an AnnDataSource. Today an .h5ad (H5adFile: its format is checked on
/// opening, errors name the file).
std::shared_ptr<const AnnDataSource> open_anndata(const std::string& path);

}  // namespace scgrad
