#pragma once
/// @file csr_matrix.hpp
/// A compressed sparse row matrix: the in-memory form of a count matrix.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scgrad {

/// Rows are cells, columns are genes (the AnnData orientation).
/// Row r holds the entries `data[indptr[r] .. indptr[r+1])` at columns `indices[...]`.
struct CsrMatrix {
  std::int64_t n_rows = 0;
  std::int64_t n_cols = 0;
  std::vector<std::int64_t> indptr{0};  ///< n_rows + 1 offsets, starting at 0
  std::vector<std::int32_t> indices;    ///< column of each stored entry
  std::vector<float> data;              ///< value of each stored entry

  std::int64_t nonzeros() const { return static_cast<std::int64_t>(data.size()); }

  /// Value at (row, col), 0 when not stored. Linear in the row's length: for tests and tables.
  float at(std::int64_t row, std::int64_t col) const;
};

/// Gives the vectors' unused capacity back when it is a quarter of them or more (then worth a
/// copy): for a matrix kept a long time after entries were dropped from it.
void release_unused_memory(CsrMatrix& matrix);

/// Keeps the listed columns (distinct), renumbered 0..columns.size()-1 in the given order.
/// Takes the matrix by value and compacts it in place: move it in to avoid a copy.
/// Within a row, entries keep their stored order.
CsrMatrix select_columns(CsrMatrix matrix, const std::vector<std::int64_t>& columns);

/// Orders each row's entries by column (scipy's sort_indices); rows already in order are left
/// as they are. anndata writes rows unsorted when genes were reordered.
void sort_row_entries(CsrMatrix& matrix);
/// The same for row `row` only.
void sort_row_entries(CsrMatrix& matrix, std::int64_t row);
/// The same for the entries [begin, end) (one row's, while a pass rewrites indptr).
void sort_entries(CsrMatrix& matrix, std::int64_t begin, std::int64_t end);

/// "index I outside [0, bound)" for the first index out of range, none when all are in it.
std::optional<std::string> index_range_defect(const std::vector<std::int32_t>& indices,
                                              std::int64_t bound);

/// Brings each row to canonical form: columns in range, ascending (unsorted rows, as anndata
/// writes them after reordering genes, are sorted) and never repeated — a repeated column would
/// be summed by scipy but normalised twice here. Returns what is wrong (naming row rows[i] for
/// row i of `m`, and the fix), none when the rows are canonical.
std::optional<std::string> canonicalise_rows(CsrMatrix& m, const std::vector<std::int64_t>& rows);

/// Column j becomes column target[j] (0 <= target[j] < n_targets); entries of a row that land in
/// the same column are summed (genes named more than once, a many-to-one gene map). Each row's
/// entries come out ordered by column.
CsrMatrix merge_columns(const CsrMatrix& matrix, const std::vector<std::int64_t>& target,
                        std::int64_t n_targets);

/// Keeps the listed rows, in the given order.
CsrMatrix select_rows(const CsrMatrix& matrix, const std::vector<std::int64_t>& rows);

/// Appends the rows of `rows` (the same number of columns) below those of `to`.
void append_rows(CsrMatrix& to, const CsrMatrix& rows);

/// A dense row-major copy (n_rows * n_cols floats).
std::vector<float> to_dense(const CsrMatrix& matrix);

}  // namespace scgrad
