#include <algorithm>

#include "row_readers.hpp"
#include "sparse_structure.hpp"

namespace scgrad::h5ad {

namespace {

/// Sizes a vector for `n` values. One too small is replaced, not grown (growing would copy what
/// it holds), with room to spare: the blocks of a pass differ a little in size, and the next
/// ones then fit in memory already mapped.
template <class T>
void size_for(std::vector<T>& values, std::size_t n) {
  if (values.capacity() < n) {
    values = std::vector<T>();
    values.reserve(n + n / 8);
  }
  values.resize(n);
}

}  // namespace

CsrMatrix read_csr_rows(const H5adSource& source, const MatrixInfo& m, hid_t group,
                        const std::vector<std::int64_t>& indptr,
                        const std::vector<std::int64_t>& rows, CsrMatrix storage) {
  const auto data_at = source.at(m.hdf5_path + "/data");
  const auto indices_element = m.hdf5_path + "/indices";
  const auto indices_at = source.at(indices_element);
  hdf5::Handle data = hdf5::open_dataset(group, "data", data_at, /*cache_chunks=*/false);
  hdf5::Handle indices = hdf5::open_dataset(group, "indices", indices_at, /*cache_chunks=*/false);
  auto out = std::move(storage);  // its vectors' memory, already mapped (no page faults)
  out.n_rows = static_cast<std::int64_t>(rows.size());
  out.n_cols = m.n_cols;
  out.indptr.resize(rows.size() + 1);
  out.indptr[0] = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.indptr[i + 1] = out.indptr[i] + indptr[rows[i] + 1] - indptr[rows[i]];
  }
  size_for(out.indices, static_cast<std::size_t>(out.indptr.back()));
  size_for(out.data, out.indices.size());
  for (std::size_t first = 0; first < rows.size();) {
    std::size_t last = first;
    bool contiguous = true;
    while (last + 1 < rows.size() &&
           indptr[rows[last + 1]] - indptr[rows[last] + 1] <= kMaxGapEntries) {
      const bool next_contiguous = contiguous && rows[last + 1] == rows[last] + 1;
      // A block that must be staged (it has gaps) stays small: it is a second copy.
      if (!next_contiguous &&
          indptr[rows[last + 1] + 1] - indptr[rows[first]] > kMaxStagedEntries) {
        break;
      }
      contiguous = next_contiguous;
      ++last;
    }
    const auto begin = indptr[rows[first]];
    const auto end = indptr[rows[last] + 1];
    if (contiguous) {
      // Consecutive rows: HDF5 writes straight into the output, no staging copy.
      hdf5::read_1d_into(data.get(), data_at, begin, end - begin,
                         out.data.data() + out.indptr[first]);
      hdf5::read_1d_into(indices.get(), indices_at, begin, end - begin,
                         out.indices.data() + out.indptr[first]);
    } else {
      const auto block_data = hdf5::read_1d<float>(data.get(), data_at, begin, end - begin);
      const auto block_indices =
          hdf5::read_1d<std::int32_t>(indices.get(), indices_at, begin, end - begin);
      for (auto k = first; k <= last; ++k) {
        const auto row_begin = indptr[rows[k]] - begin;
        const auto row_end = indptr[rows[k] + 1] - begin;
        std::copy(block_data.begin() + row_begin, block_data.begin() + row_end,
                  out.data.begin() + out.indptr[k]);
        std::copy(block_indices.begin() + row_begin, block_indices.begin() + row_end,
                  out.indices.begin() + out.indptr[k]);
      }
    }
    first = last + 1;
  }
  canonicalise_rows(source, out, rows, indices_element);
  return out;
}

}  // namespace scgrad::h5ad
