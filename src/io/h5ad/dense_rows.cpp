#include "row_readers.hpp"

namespace scgrad::h5ad {

CsrMatrix read_dense_rows(const H5adSource& source, const MatrixInfo& m,
                          const std::vector<std::int64_t>& rows) {
  constexpr std::int64_t kBlockRows = 1024;  // bounds the temporary dense buffer
  hdf5::Handle ds = hdf5::open_dataset(source.root(), m.hdf5_path, source.at(m.hdf5_path),
                                       /*cache_chunks=*/false);
  CsrMatrix out;
  out.n_rows = static_cast<std::int64_t>(rows.size());
  out.n_cols = m.n_cols;
  for (std::size_t first = 0; first < rows.size();) {
    std::size_t last = first;
    while (last + 1 < rows.size() && rows[last + 1] == rows[last] + 1 &&
           static_cast<std::int64_t>(last + 1 - first) < kBlockRows) {
      ++last;
    }
    const auto count = static_cast<std::int64_t>(last - first + 1);
    const auto block = hdf5::read_rows_2d(ds.get(), source.at(m.hdf5_path), rows[first], count);
    for (std::int64_t r = 0; r < count; ++r) {
      for (std::int64_t c = 0; c < m.n_cols; ++c) {
        const float v = block[static_cast<std::size_t>(r * m.n_cols + c)];
        if (v != 0.0F) {
          out.indices.push_back(static_cast<std::int32_t>(c));
          out.data.push_back(v);
        }
      }
      out.indptr.push_back(static_cast<std::int64_t>(out.data.size()));
    }
    first = last + 1;
  }
  return out;
}

}  // namespace scgrad::h5ad
