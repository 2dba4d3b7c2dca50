#pragma once
/// @file in_memory_anndata.hpp
/// An AnnData already in memory — the Python binding's `adata` — as an AnnDataSource: its
/// matrices are borrowed (numpy/scipy buffers, not copied: rows are converted as they are read,
/// as from a file), its dataframes' needed columns given by value. A CSC matrix is converted to
/// CSR once, when added (rows of CSC storage cannot be read without scanning it all). No torch.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "scgrad/io/anndata_source.hpp"

namespace scgrad {

enum class NumberType {
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  uint8,
  uint16,
  uint32,
  uint64
};

/// numpy's dtype name ("float32", "int64", …) → NumberType; OptionError for any other.
NumberType number_type(const std::string& dtype);
const char* to_string(NumberType type);

/// A borrowed 1-d array of numbers: it must outlive the source that holds it.
struct NumberArray {
  const void* data = nullptr;
  std::int64_t size = 0;
  NumberType type = NumberType::float32;
};

/// A matrix as scipy or numpy holds it.
struct BorrowedMatrix {
  MatrixStorage storage = MatrixStorage::csr;
  std::int64_t n_rows = 0;
  std::int64_t n_cols = 0;
  NumberArray values;   ///< stored entries; dense: n_rows × n_cols, row-major (C order)
  NumberArray indices;  ///< csr: column of each entry; csc: row (integers)
  NumberArray indptr;   ///< csr: n_rows + 1 offsets; csc: n_cols + 1 (integers)
};

class InMemoryAnnData : public AnnDataSource {
 public:
  /// `name` is what messages name as the file (e.g. "AnnData"). obs_column_names lists every
  /// obs column (for messages); the ones read are added with add_obs_column.
  InMemoryAnnData(std::string name, std::vector<std::string> obs_names,
                  std::vector<std::string> obs_column_names);
  ~InMemoryAnnData() override;

  void add_obs_column(DataFrameColumn column);
  /// Genes of `matrix_key`'s dataframe ("X" for var, "raw/X" for raw.var): names, every
  /// column's name, and the columns read.
  void set_var(const std::string& matrix_key, std::vector<std::string> names,
               std::vector<std::string> column_names, std::vector<DataFrameColumn> columns = {});
  /// Checks the matrix's shape and structure (InputError naming the element otherwise): shape
  /// = cells × its dataframe's genes; sparse: indptr from 0, non-decreasing, ending at the entry
  /// count, integer indices. Indices in range and unrepeated within a row are checked as rows
  /// are read, as for a file.
  void add_matrix(const std::string& key, const BorrowedMatrix& matrix);
  /// Names the matrices the AnnData holds ("X", "raw/X", "layers/NAME"), added or not: what
  /// resolve_matrix_key resolves against and messages list, so that only the matrix a run
  /// reads need be added.
  void declare_matrices(std::vector<std::string> keys);

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

 private:
  struct Matrix;
  struct Genes {
    std::vector<std::string> names;
    std::vector<std::string> column_names;
    std::map<std::string, DataFrameColumn> columns;
  };
  const Genes& genes_of(const std::string& matrix_key) const;
  const Matrix& matrix(const std::string& key) const;

  std::string name_;
  std::vector<std::string> obs_names_;
  std::vector<std::string> obs_column_names_;
  std::map<std::string, DataFrameColumn> obs_columns_;
  std::map<std::string, Genes> genes_;  ///< by "X" / "raw/X"
  std::map<std::string, std::shared_ptr<const Matrix>> matrices_;
  std::vector<std::string> declared_;  ///< declare_matrices' keys
};

}  // namespace scgrad
