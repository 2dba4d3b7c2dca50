#pragma once
/// @file labelled_source.hpp
/// Cell labels from a CSV or TSV file joined to any AnnDataSource by barcode: the first column
/// holds cell names (obs names, e.g. 10x barcodes), every other column becomes an obs column —
/// a categorical with its categories sorted, as anndata stores a string column — replacing one
/// of the same name. Cells the table does not list are unlabelled (a missing value); a row
/// whose barcode is not a cell of the matrix is an error naming a few, as is a barcode listed
/// twice. Everything else is read from the wrapped source. No torch.

#include <memory>
#include <string>
#include <vector>

#include "scgrad/io/anndata_source.hpp"
#include "scgrad/io/delimited_table.hpp"

namespace scgrad {

class LabelledSource : public AnnDataSource {
 public:
  LabelledSource(std::shared_ptr<const AnnDataSource> cells, const DelimitedTable& labels);

  /// Cells of the matrix the table does not list.
  std::int64_t unlabelled_cells() const { return unlabelled_; }
  /// The table's label columns (its header without the first column).
  const std::vector<std::string>& label_columns() const { return names_; }

  const std::string& path() const override { return cells_->path(); }
  std::int64_t n_obs() const override { return cells_->n_obs(); }
  std::vector<std::string> obs_names() const override { return cells_->obs_names(); }
  std::vector<std::string> obs_column_names() const override;
  DataFrameColumn obs_column(const std::string& name) const override;
  std::vector<std::string> var_names(const std::string& matrix_key) const override {
    return cells_->var_names(matrix_key);
  }
  std::vector<std::string> var_column_names(const std::string& matrix_key) const override {
    return cells_->var_column_names(matrix_key);
  }
  DataFrameColumn var_column(const std::string& name,
                             const std::string& matrix_key) const override {
    return cells_->var_column(name, matrix_key);
  }
  std::vector<std::string> matrix_keys() const override { return cells_->matrix_keys(); }
  MatrixInfo matrix_info(const std::string& key) const override { return cells_->matrix_info(key); }
  CsrMatrix read_rows(const std::string& key,
                      const std::vector<std::int64_t>& rows) const override {
    return cells_->read_rows(key, rows);
  }
  CsrMatrix read_rows_into(const std::string& key, const std::vector<std::int64_t>& rows,
                           CsrMatrix storage) const override {
    return cells_->read_rows_into(key, rows, std::move(storage));
  }

 private:
  std::shared_ptr<const AnnDataSource> cells_;
  std::string labels_path_;
  std::vector<std::string> names_;
  std::vector<DataFrameColumn> columns_;
  std::int64_t unlabelled_ = 0;
};

/// A column of strings as anndata stores one: a categorical, categories sorted, empty strings
/// missing (code -1).
DataFrameColumn sorted_categorical(const std::string& name, const std::vector<std::string>& values);

}  // namespace scgrad
