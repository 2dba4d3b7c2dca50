#pragma once
/// @file loom_file.hpp
/// A .loom file (loompy, velocyto) as an AnnDataSource: /matrix is genes × cells (dense, read a
/// block of cells at a time), /layers/NAME its layers, /col_attrs the cells' attributes and
/// /row_attrs the genes'. Cells are named by col_attrs CellID (or obs_names), genes by
/// row_attrs Gene (or var_names), as anndata.read_loom does; every other 1-d attribute is an
/// obs or var column — text as a categorical with sorted categories (what anndata writes), so a
/// cell-type attribute is a label key. No torch.

#include <memory>
#include <string>

#include "scgrad/io/anndata_source.hpp"

namespace scgrad {

class LoomFile : public AnnDataSource {
 public:
  /// Opens and checks the layout; InputError naming the file and element otherwise.
  explicit LoomFile(const std::string& path);
  ~LoomFile() override;

  const std::string& path() const override;
  std::int64_t n_obs() const override;
  std::vector<std::string> obs_names() const override;
  std::vector<std::string> obs_column_names() const override;
  DataFrameColumn obs_column(const std::string& name) const override;
  std::vector<std::string> var_names(const std::string& matrix_key) const override;
  std::vector<std::string> var_column_names(const std::string& matrix_key) const override;
  DataFrameColumn var_column(const std::string& name, const std::string& matrix_key) const override;
  std::vector<std::string> matrix_keys() const override;
  MatrixInfo matrix_info(const std::string& key) const override;
  CsrMatrix read_rows(const std::string& key, const std::vector<std::int64_t>& rows) const override;

  /// True when the HDF5 file at `path` has a 2-d /matrix beside /row_attrs and /col_attrs.
  static bool recognises(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scgrad
