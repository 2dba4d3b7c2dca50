#pragma once
/// @file open_anndata.hpp
/// The one door from a user's path to its cells: fit, predict, inspect and the exercise open
/// files here. The format comes from the path and the file's content: an .h5ad (H5adFile), a
/// 10x Genomics HDF5 matrix (TenxH5File), a loom file (LoomFile), or a Matrix Market folder or
/// file (MatrixMarketSource). No torch.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scgrad/io/anndata_source.hpp"

namespace scgrad {

/// The cells at `path`. `max_memory`: the bytes a format that must be read whole (Matrix
/// Market) may take; above it the file is refused before it is read. Errors name the file.
std::shared_ptr<const AnnDataSource> open_anndata(const std::string& path,
                                                  std::int64_t max_memory = std::int64_t{1} << 62);

/// The files reading `path` opens (a Matrix Market folder: its matrix, features and barcodes),
/// found without reading them: what no output may overwrite.
std::vector<std::string> input_files(const std::string& path);

/// `cells` with the label columns of the CSV/TSV table at `labels_path` joined by barcode
/// (labelled_source.hpp); `cells` itself when the path is empty.
std::shared_ptr<const AnnDataSource> with_labels(std::shared_ptr<const AnnDataSource> cells,
                                                 const std::string& labels_path);

}  // namespace scgrad
