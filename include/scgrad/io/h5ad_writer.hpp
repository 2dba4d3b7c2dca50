#pragma once
/// @file h5ad_writer.hpp
/// Writes an AnnData `.h5ad` file (anndata >= 0.8 encoding) with a CSR `X` streamed row by row,
/// so a file larger than memory can be written. No torch here.
///
/// Thread safety: writers of different files may run on different threads (their libhdf5 calls
/// are serialised); one writer is used by one thread at a time.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "scgrad/io/dataframe_column.hpp"

namespace scgrad {

class H5adWriter {
 public:
  /// Creates (truncates) the file and the empty elements anndata expects.
  /// @param gzip compress X with gzip (smaller, slower to write and read)
  H5adWriter(const std::string& path, std::int64_t n_vars, bool gzip = false);
  ~H5adWriter();

  /// obs: the index and categorical columns.
  void write_obs(const std::vector<std::string>& index,
                 const std::vector<std::pair<std::string, Categorical>>& columns);
  /// var: the index (gene names).
  void write_var(const std::vector<std::string>& index);
  /// Appends one row (cell) of X; `indices` ascending column numbers.
  void append_row(const std::vector<std::int32_t>& indices, const std::vector<float>& values);
  /// Writes indptr and shape; call once, after the last row.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scgrad
