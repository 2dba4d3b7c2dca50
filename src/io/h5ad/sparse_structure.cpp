#include "sparse_structure.hpp"

namespace scgrad::h5ad {

const std::vector<std::int64_t>& checked_indptr(const H5adSource& source, const MatrixInfo& m,
                                                hid_t group, IndptrCache& cache) {
  const auto cached = cache.find(m.hdf5_path);
  if (cached != cache.end()) return cached->second;
  const auto element = m.hdf5_path + "/indptr";
  hdf5::Handle ds = hdf5::open_dataset(group, "indptr", source.at(element));
  auto indptr = hdf5::read_1d<std::int64_t>(ds.get(), source.at(element));
  if (indptr.front() != 0) hdf5::fail(source.at(element), "must start at 0");
  for (std::size_t i = 1; i < indptr.size(); ++i) {
    if (indptr[i] < indptr[i - 1]) {
      hdf5::fail(source.at(element),
                 "decreases at position " + std::to_string(i) + " (must be non-decreasing)");
    }
  }
  if (indptr.back() != m.stored_values) {
    hdf5::fail(source.at(element), "ends at " + std::to_string(indptr.back()) + " but " +
                                       std::to_string(m.stored_values) + " entries are stored");
  }
  return cache.emplace(m.hdf5_path, std::move(indptr)).first->second;
}

void check_index_range(const H5adSource& source, const std::vector<std::int32_t>& indices,
                       std::int64_t bound, const std::string& element) {
  for (const auto i : indices) {
    if (i < 0 || i >= bound) {
      hdf5::fail(source.at(element),
                 "index " + std::to_string(i) + " outside [0, " + std::to_string(bound) + ")");
    }
  }
}

void canonicalise_rows(const H5adSource& source, CsrMatrix& m,
                       const std::vector<std::int64_t>& rows, const std::string& element) {
  check_index_range(source, m.indices, m.n_cols, element);
  // Row r's columns: strictly ascending (the common case, one pass), out of order, or with
  // a repeat at position k >= 0.
  constexpr std::int64_t kAscending = -2;
  constexpr std::int64_t kOutOfOrder = -1;
  auto inspect_row = [&](std::int64_t r) {
    for (auto k = m.indptr[r] + 1; k < m.indptr[r + 1]; ++k) {
      if (m.indices[k] == m.indices[k - 1]) return k;
      if (m.indices[k] < m.indices[k - 1]) return kOutOfOrder;
    }
    return kAscending;
  };
  for (std::int64_t r = 0; r < m.n_rows; ++r) {
    auto found = inspect_row(r);
    if (found == kOutOfOrder) {  // sort this row, then look for repeats
      sort_row_entries(m, r);
      found = inspect_row(r);
    }
    if (found >= 0) {
      hdf5::fail(source.at(element), "row " + std::to_string(rows[static_cast<std::size_t>(r)]) +
                                         " lists column " + std::to_string(m.indices[found]) +
                                         " twice; merge the duplicates (in Python: "
                                         "adata.X.sum_duplicates()) and write the file again");
    }
  }
}

}  // namespace scgrad::h5ad
