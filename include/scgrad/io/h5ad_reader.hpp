#pragma once
/// @file h5ad_reader.hpp
/// Reads AnnData `.h5ad` files (anndata 0.6 to 0.11 layouts) with libhdf5. No torch here.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scgrad/io/anndata_source.hpp"

namespace scgrad {

/// An open `.h5ad` file, read-only. Problems in the file are InputErrors naming the file and
/// the element.
///
/// Thread safety: distinct H5adFile objects may be used from different threads at once, and
/// the const functions of one object too; their calls into libhdf5 are serialised (libhdf5 is
/// not thread-safe), so reading is not faster with more threads. Moving or destroying an object
/// while another thread uses it is a data race, as for any C++ object.
class H5adFile : public AnnDataSource {
 public:
  /// Opens the file and checks that it is AnnData (an `obs` and a `var` dataframe).
  explicit H5adFile(const std::string& path);
  ~H5adFile() override;
  H5adFile(H5adFile&&) noexcept;
  H5adFile& operator=(H5adFile&&) noexcept;

  const std::string& path() const override;
  std::int64_t n_obs() const override;
  std::int64_t n_vars() const;

  std::vector<std::string> obs_names() const override;
  std::vector<std::string> obs_column_names() const override;
  DataFrameColumn obs_column(const std::string& name) const override;

  /// Gene names of the matrix `matrix_key`: `raw/var` for `raw/X`, else `var`.
  std::vector<std::string> var_names(const std::string& matrix_key = "X") const override;
  std::vector<std::string> var_column_names(const std::string& matrix_key = "X") const override;
  DataFrameColumn var_column(const std::string& name,
                             const std::string& matrix_key = "X") const override;

  /// The matrices present: "X", "raw/X", then "layers/NAME" for each layer.
  std::vector<std::string> matrix_keys() const override;

  MatrixInfo matrix_info(const std::string& key) const override;

  /// Streams over a matrix's stored values in blocks (memory stays small).
  ValueSummary value_summary(const std::string& key) const override;

  /// Reads the given rows (ascending, distinct; else std::invalid_argument) of a matrix as CSR
  /// with float values. CSR storage: only the selected rows' entries are read. CSC storage: all
  /// of `indices` is scanned (4 bytes per stored entry, in pieces) to find the rows' entries and
  /// only their values are read — reading a CSC matrix in k row blocks scans `indices` k times.
  CsrMatrix read_rows(const std::string& key, const std::vector<std::int64_t>& rows) const override;
  /// read_rows into `storage`'s vectors (CSR storage; the others let it go).
  CsrMatrix read_rows_into(const std::string& key, const std::vector<std::int64_t>& rows,
                           CsrMatrix storage) const override;

  /// Reads a whole matrix as CSR.
  CsrMatrix read_all(const std::string& key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scgrad
