#pragma once
/// @file anndata_source.hpp
/// What the library reads from an AnnData: its obs and var dataframes and rows of a count
/// matrix. An .h5ad file (h5ad_reader.hpp) and an AnnData already in memory
/// (in_memory_anndata.hpp, the Python binding's) are both sources, so training and prediction
/// are written once for both. No torch here.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scgrad/error.hpp"
#include "scgrad/io/dataframe_column.hpp"
#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

enum class MatrixStorage { dense, csr, csc };
const char* to_string(MatrixStorage storage);

/// What a matrix element (`X`, `raw/X`, `layers/NAME`) holds, read from its metadata only.
struct MatrixInfo {
  std::string key;        ///< canonical key, e.g. "X", "raw/X", "layers/counts"
  std::string hdf5_path;  ///< where it is in the file (anndata 0.6 wrote "raw.X"); "" in memory
  MatrixStorage storage = MatrixStorage::dense;
  std::int64_t n_rows = 0;
  std::int64_t n_cols = 0;
  std::string dtype;               ///< dtype of the stored values, e.g. "float32"
  std::int64_t stored_values = 0;  ///< stored entries (sparse) or n_rows * n_cols (dense)
};

/// What the stored values of a matrix are, from one streaming pass over them.
struct ValueSummary {
  double min = 0;  ///< over stored values (sparse: implicit zeros not included)
  double max = 0;
  bool all_integer = true;  ///< every finite value is a whole number (raw counts look like this)
  std::int64_t negative = 0;
  std::int64_t non_finite = 0;  ///< NaN or ±Inf

  /// Counts one stored value in (min and max start at ±infinity before the first).
  void add(double value);
};

/// An AnnData, read-only. Errors are InputErrors naming `path()` and the element.
class AnnDataSource {
 public:
  virtual ~AnnDataSource() = default;

  /// What messages name as the file: the .h5ad's path, or what an in-memory AnnData was called.
  virtual const std::string& path() const = 0;
  virtual std::int64_t n_obs() const = 0;

  virtual std::vector<std::string> obs_names() const = 0;
  virtual std::vector<std::string> obs_column_names() const = 0;
  virtual DataFrameColumn obs_column(const std::string& name) const = 0;

  /// Gene names of the matrix `matrix_key`: `raw/var` for `raw/X`, else `var`.
  virtual std::vector<std::string> var_names(const std::string& matrix_key) const = 0;
  virtual std::vector<std::string> var_column_names(const std::string& matrix_key) const = 0;
  virtual DataFrameColumn var_column(const std::string& name,
                                     const std::string& matrix_key) const = 0;

  /// The matrices present: "X", "raw/X", then "layers/NAME" for each layer.
  virtual std::vector<std::string> matrix_keys() const = 0;

  /// Accepts "X", "raw", "raw/X", "layers/NAME" or a bare layer name (one of matrix_keys());
  /// throws when absent, listing the matrices that are present.
  std::string resolve_matrix_key(const std::string& key) const;

  virtual MatrixInfo matrix_info(const std::string& key) const = 0;

  /// Reads the given rows (ascending, distinct; else OptionError) of a matrix as CSR with float
  /// values, each row's entries as stored.
  virtual CsrMatrix read_rows(const std::string& key,
                              const std::vector<std::int64_t>& rows) const = 0;
  /// The same, reading into the vectors of `storage` (a block no longer needed) where the
  /// format can: a pass over a large file then reuses memory instead of faulting in fresh pages
  /// for every block. By default `storage` is let go.
  virtual CsrMatrix read_rows_into(const std::string& key, const std::vector<std::int64_t>& rows,
                                   CsrMatrix storage) const;

  /// The matrix's stored values summarised (what `scgrad inspect` shows): by default read a
  /// block of rows at a time; an .h5ad reads its stored values directly.
  virtual ValueSummary value_summary(const std::string& key) const;

 protected:
  /// The error for a matrix this AnnData does not hold, listing those it does.
  InputError no_matrix(const std::string& key) const;

  AnnDataSource() = default;
  AnnDataSource(const AnnDataSource&) = default;
  AnnDataSource(AnnDataSource&&) = default;
  AnnDataSource& operator=(const AnnDataSource&) = default;
  AnnDataSource& operator=(AnnDataSource&&) = default;
};

/// Reads `rows` (ascending) in blocks of `block_rows`, calling `visit(block, first)` with the
/// block's counts and the position in `rows` of its first row. What the visitor leaves in
/// `block` (the block, or a matrix made from it moved back in) is read into next: its memory
/// is reused.
void for_each_block(const AnnDataSource& file, const std::string& matrix_key,
                    const std::vector<std::int64_t>& rows, std::int64_t block_rows,
                    const std::function<void(CsrMatrix&&, std::size_t)>& visit);

/// Every row of a file, 0 .. n_obs - 1: what a whole-matrix pass gives for_each_block.
std::vector<std::int64_t> all_rows(const AnnDataSource& file);

/// The OptionError read_rows throws unless `rows` are ascending, distinct and below n_rows.
void check_row_numbers(const std::vector<std::int64_t>& rows, std::int64_t n_rows,
                       const char* caller);

}  // namespace scgrad
