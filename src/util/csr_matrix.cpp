#include "scgrad/util/csr_matrix.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "scgrad/error.hpp"

namespace scgrad {

float CsrMatrix::at(std::int64_t row, std::int64_t col) const {
  for (auto k = indptr[row]; k < indptr[row + 1]; ++k) {
    if (indices[k] == col) return data[k];
  }
  return 0.0F;
}

void release_unused_memory(CsrMatrix& matrix) {
  if (matrix.data.size() < 3 * matrix.data.capacity() / 4) {
    matrix.data.shrink_to_fit();
    matrix.indices.shrink_to_fit();
  }
}

CsrMatrix select_columns(CsrMatrix matrix, const std::vector<std::int64_t>& columns) {
  const bool all_in_order = static_cast<std::int64_t>(columns.size()) == matrix.n_cols &&
                            (columns.empty() || columns.back() == matrix.n_cols - 1);
  if (all_in_order) return matrix;  // columns are distinct and ascending: nothing to drop
  std::vector<std::int32_t> new_index(static_cast<std::size_t>(matrix.n_cols), -1);
  for (std::size_t j = 0; j < columns.size(); ++j) {
    new_index[columns[j]] = static_cast<std::int32_t>(j);
  }
  // Compacts in place: entries only move towards the front, so no second copy is needed.
  std::int64_t kept = 0;
  std::int64_t row_begin = 0;
  for (std::int64_t r = 0; r < matrix.n_rows; ++r) {
    const auto row_end = matrix.indptr[r + 1];
    for (auto k = row_begin; k < row_end; ++k) {
      const auto j = new_index[matrix.indices[k]];
      if (j < 0) continue;
      matrix.indices[kept] = j;
      matrix.data[kept] = matrix.data[k];
      ++kept;
    }
    row_begin = row_end;
    matrix.indptr[r + 1] = kept;
  }
  matrix.indices.resize(static_cast<std::size_t>(kept));
  matrix.data.resize(static_cast<std::size_t>(kept));
  release_unused_memory(matrix);
  matrix.n_cols = static_cast<std::int64_t>(columns.size());
  return matrix;
}

void sort_row_entries(CsrMatrix& matrix, std::int64_t row) {
  sort_entries(matrix, matrix.indptr[row], matrix.indptr[row + 1]);
}

void sort_entries(CsrMatrix& matrix, std::int64_t begin, std::int64_t end) {
  if (std::is_sorted(matrix.indices.begin() + begin, matrix.indices.begin() + end)) return;
  std::vector<std::pair<std::int32_t, float>> entries;
  for (auto k = begin; k < end; ++k) entries.emplace_back(matrix.indices[k], matrix.data[k]);
  std::sort(entries.begin(), entries.end());
  for (auto k = begin; k < end; ++k) {
    matrix.indices[k] = entries[static_cast<std::size_t>(k - begin)].first;
    matrix.data[k] = entries[static_cast<std::size_t>(k - begin)].second;
  }
}

std::optional<std::string> index_range_defect(const std::vector<std::int32_t>& indices,
                                              std::int64_t bound) {
  for (const auto i : indices) {
    if (i < 0 || i >= bound) {
      return "index " + std::to_string(i) + " outside [0, " + std::to_string(bound) + ")";
    }
  }
  return std::nullopt;
}

std::optional<std::string> canonicalise_rows(CsrMatrix& m, const std::vector<std::int64_t>& rows) {
  // Row r's columns: strictly ascending and in range (the common case: one look at each index,
  // the range from the row's ends), out of order, or with a repeat at position k >= 0.
  constexpr std::int64_t kAscending = -2;
  constexpr std::int64_t kOutOfOrder = -1;
  auto inspect_row = [&](std::int64_t r) {
    int ascending = 1;  // first without a branch or an early exit, so that the loop vectorises
    for (auto k = m.indptr[r] + 1; k < m.indptr[r + 1]; ++k) {
      ascending &= static_cast<int>(m.indices[k] > m.indices[k - 1]);
    }
    if (ascending != 0) return kAscending;
    for (auto k = m.indptr[r] + 1; k < m.indptr[r + 1]; ++k) {
      if (m.indices[k] == m.indices[k - 1]) return k;
      if (m.indices[k] < m.indices[k - 1]) return kOutOfOrder;
    }
    return kAscending;
  };
  const auto out_of_range = [&](std::int32_t index) {
    return "index " + std::to_string(index) + " outside [0, " + std::to_string(m.n_cols) + ")";
  };
  for (std::int64_t r = 0; r < m.n_rows; ++r) {
    const auto begin = m.indptr[r];
    const auto end = m.indptr[r + 1];
    auto found = inspect_row(r);
    if (found == kOutOfOrder) {  // any index may be out of range: look at each, then sort
      for (auto k = begin; k < end; ++k) {
        if (m.indices[k] < 0 || m.indices[k] >= m.n_cols) return out_of_range(m.indices[k]);
      }
      sort_row_entries(m, r);
      found = inspect_row(r);
    }
    if (begin < end && m.indices[begin] < 0) return out_of_range(m.indices[begin]);
    if (begin < end && m.indices[end - 1] >= m.n_cols) return out_of_range(m.indices[end - 1]);
    if (found >= 0) {
      return "row " + std::to_string(rows[static_cast<std::size_t>(r)]) + " lists column " +
             std::to_string(m.indices[found]) +
             " twice; merge the duplicates (in Python: adata.X.sum_duplicates())";
    }
  }
  return std::nullopt;
}

void sort_row_entries(CsrMatrix& matrix) {
  for (std::int64_t r = 0; r < matrix.n_rows; ++r) sort_row_entries(matrix, r);
}

CsrMatrix merge_columns(const CsrMatrix& matrix, const std::vector<std::int64_t>& target,
                        std::int64_t n_targets) {
  CsrMatrix out;
  out.n_rows = matrix.n_rows;
  out.n_cols = n_targets;
  out.indptr.assign(1, 0);
  out.indptr.reserve(static_cast<std::size_t>(matrix.n_rows) + 1);
  std::vector<std::pair<std::int32_t, float>> entries;
  for (std::int64_t r = 0; r < matrix.n_rows; ++r) {
    entries.clear();
    for (auto k = matrix.indptr[r]; k < matrix.indptr[r + 1]; ++k) {
      const auto t = target[static_cast<std::size_t>(matrix.indices[k])];
      entries.emplace_back(static_cast<std::int32_t>(t), matrix.data[k]);
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [column, value] : entries) {
      if (static_cast<std::int64_t>(out.indices.size()) > out.indptr.back() &&
          out.indices.back() == column) {
        out.data.back() += value;
      } else {
        out.indices.push_back(column);
        out.data.push_back(value);
      }
    }
    out.indptr.push_back(static_cast<std::int64_t>(out.data.size()));
  }
  return out;
}

CsrMatrix select_rows(const CsrMatrix& matrix, const std::vector<std::int64_t>& rows) {
  CsrMatrix out;
  out.n_rows = static_cast<std::int64_t>(rows.size());
  out.n_cols = matrix.n_cols;
  out.indptr.reserve(rows.size() + 1);
  for (const auto r : rows) {
    const auto begin = matrix.indptr[r];
    const auto end = matrix.indptr[r + 1];
    out.indices.insert(out.indices.end(), matrix.indices.begin() + begin,
                       matrix.indices.begin() + end);
    out.data.insert(out.data.end(), matrix.data.begin() + begin, matrix.data.begin() + end);
    out.indptr.push_back(static_cast<std::int64_t>(out.data.size()));
  }
  return out;
}

void append_rows(CsrMatrix& to, const CsrMatrix& rows) {
  if (to.n_rows == 0 && to.nonzeros() == 0) to.n_cols = rows.n_cols;
  if (rows.n_cols != to.n_cols) {
    throw OptionError("append_rows: " + std::to_string(rows.n_cols) + " columns below " +
                      std::to_string(to.n_cols));
  }
  const auto offset = to.nonzeros();
  to.indices.insert(to.indices.end(), rows.indices.begin(), rows.indices.end());
  to.data.insert(to.data.end(), rows.data.begin(), rows.data.end());
  for (std::int64_t r = 1; r <= rows.n_rows; ++r) to.indptr.push_back(offset + rows.indptr[r]);
  to.n_rows += rows.n_rows;
}

std::vector<float> to_dense(const CsrMatrix& matrix) {
  std::vector<float> dense(static_cast<std::size_t>(matrix.n_rows * matrix.n_cols), 0.0F);
  for (std::int64_t r = 0; r < matrix.n_rows; ++r) {
    for (auto k = matrix.indptr[r]; k < matrix.indptr[r + 1]; ++k) {
      dense[static_cast<std::size_t>(r * matrix.n_cols + matrix.indices[k])] = matrix.data[k];
    }
  }
  return dense;
}

}  // namespace scgrad
