#pragma once
/// @file matrix_market.hpp
/// Cell Ranger's Matrix Market output as an AnnDataSource: a folder (or its matrix file) with
/// matrix.mtx[.gz] (genes × cells, coordinate format), features.tsv[.gz] or genes.tsv[.gz] (id,
/// name[, feature type]) and barcodes.tsv[.gz]; GEO's prefixed names (GSM1_matrix.mtx.gz beside
/// GSM1_barcodes.tsv.gz) too. As scanpy.read_10x_mtx: genes named by their name (var column
/// gene_ids holds the IDs), only "Gene Expression" features kept, repeated entries summed.
/// Coordinate files are not ordered by cell, so the matrix is read whole into memory: a file
/// whose declared entries need more than the memory budget is refused before it is read. No
/// torch.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "scgrad/io/barcoded_matrix.hpp"

namespace scgrad {

/// Bytes a Matrix Market file of `entries` entries takes in memory while it is read.
constexpr std::int64_t matrix_market_bytes(std::int64_t entries) {
  // Saturates: a size line may declare up to 10^18 entries (found by the fuzz target).
  constexpr std::int64_t kMost = INT64_MAX / 16;
  return entries > kMost ? INT64_MAX : 16 * entries;
}

/// The matrix of a Matrix Market coordinate text, transposed: cells (the file's columns) ×
/// genes (its rows), each row's genes ascending, repeated entries summed. `next_line` gives the
/// text a line at a time (false at its end). InputError naming `path` and the line for a header
/// that is not a real/integer/pattern general coordinate matrix, a size line that is not three
/// numbers, an index out of range, a value that is not a finite number, or more or fewer entries
/// than the size line declares; refused up front when they would need more than `max_bytes`.
CsrMatrix parse_matrix_market(const std::function<bool(std::string&)>& next_line,
                              const std::string& path, std::int64_t max_bytes);

class MatrixMarketSource : public BarcodedMatrix {
 public:
  /// `path`: the folder, or its matrix file. The matrix is read at once, refused above
  /// `max_bytes` (matrix_market_bytes).
  MatrixMarketSource(const std::string& path, std::int64_t max_bytes);
  ~MatrixMarketSource() override;

  const std::string& path() const override;
  std::int64_t n_obs() const override;
  MatrixInfo matrix_info(const std::string& key) const override;
  CsrMatrix read_rows(const std::string& key, const std::vector<std::int64_t>& rows) const override;

  /// True for a folder holding a matrix.mtx[.gz], or a file named *.mtx[.gz].
  static bool recognises(const std::string& path);
  /// The matrix, features and barcodes files `path` names, found without reading them;
  /// InputError naming what is missing.
  static std::vector<std::string> files_of(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scgrad
