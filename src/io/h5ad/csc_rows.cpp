#include <algorithm>

#include "row_readers.hpp"
#include "sparse_structure.hpp"

namespace scgrad::h5ad {

namespace {

/// The stored entries that belong to the selected rows, in storage (column-major) order.
struct WantedEntries {
  std::vector<std::int64_t> positions;  ///< in data/indices
  std::vector<std::int64_t> out_rows;   ///< row of the output
  std::vector<std::int32_t> columns;
};

/// Scans `indices` piece by piece for entries of the selected rows.
WantedEntries find_wanted_entries(const H5adSource& source, const MatrixInfo& m,
                                  const std::vector<std::int64_t>& indptr,
                                  const std::vector<std::int64_t>& rows, hid_t indices,
                                  const std::string& element) {
  std::vector<std::int64_t> out_row(static_cast<std::size_t>(m.n_rows), -1);
  for (std::size_t i = 0; i < rows.size(); ++i) out_row[rows[i]] = static_cast<std::int64_t>(i);
  WantedEntries wanted;
  std::int32_t column = 0;
  for (std::int64_t begin = 0; begin < m.stored_values; begin += kMaxStagedEntries) {
    const auto count = std::min(kMaxStagedEntries, m.stored_values - begin);
    const auto row_of = hdf5::read_1d<std::int32_t>(indices, source.at(element), begin, count);
    check_index_range(source, row_of, m.n_rows, element);
    for (std::int64_t i = 0; i < count; ++i) {
      const auto k = begin + i;
      while (indptr[column + 1] <= k) ++column;
      const auto r = out_row[row_of[i]];
      if (r < 0) continue;
      wanted.positions.push_back(k);
      wanted.out_rows.push_back(r);
      wanted.columns.push_back(column);
    }
  }
  return wanted;
}

/// data at the wanted positions, read in windows that skip gaps longer than kMaxGapEntries.
std::vector<float> read_wanted_values(const H5adSource& source, hid_t data,
                                      const std::string& element,
                                      const std::vector<std::int64_t>& positions) {
  std::vector<float> values(positions.size());
  for (std::size_t first = 0; first < positions.size();) {
    std::size_t last = first;
    while (last + 1 < positions.size() && positions[last + 1] - positions[last] <= kMaxGapEntries &&
           positions[last + 1] - positions[first] < kMaxStagedEntries) {
      ++last;
    }
    const auto block = hdf5::read_1d<float>(data, source.at(element), positions[first],
                                            positions[last] - positions[first] + 1);
    for (auto j = first; j <= last; ++j) values[j] = block[positions[j] - positions[first]];
    first = last + 1;
  }
  return values;
}

}  // namespace

CsrMatrix read_csc_rows(const H5adSource& source, const MatrixInfo& m, hid_t group,
                        const std::vector<std::int64_t>& indptr,
                        const std::vector<std::int64_t>& rows) {
  const auto indices_element = m.hdf5_path + "/indices";
  const auto data_element = m.hdf5_path + "/data";
  hdf5::Handle indices = hdf5::open_dataset(group, "indices", source.at(indices_element),
                                            /*cache_chunks=*/false);
  hdf5::Handle data = hdf5::open_dataset(group, "data", source.at(data_element));
  const auto wanted = find_wanted_entries(source, m, indptr, rows, indices.get(), indices_element);
  const auto values = read_wanted_values(source, data.get(), data_element, wanted.positions);
  // Counting sort by output row; each row's columns come out ascending (storage order).
  CsrMatrix out;
  out.n_rows = static_cast<std::int64_t>(rows.size());
  out.n_cols = m.n_cols;
  out.indptr.assign(rows.size() + 1, 0);
  for (const auto r : wanted.out_rows) ++out.indptr[r + 1];
  for (std::size_t i = 0; i < rows.size(); ++i) out.indptr[i + 1] += out.indptr[i];
  out.indices.resize(values.size());
  out.data.resize(values.size());
  auto next = out.indptr;
  for (std::size_t j = 0; j < values.size(); ++j) {
    const auto slot = next[wanted.out_rows[j]]++;
    out.indices[slot] = wanted.columns[j];
    out.data[slot] = values[j];
  }
  canonicalise_rows(source, out, rows, indices_element);  // a row twice in a column
  return out;
}

}  // namespace scgrad::h5ad
