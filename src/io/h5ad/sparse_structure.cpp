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
  if (const auto defect = index_range_defect(indices, bound)) {
    hdf5::fail(source.at(element), *defect);
  }
}

void canonicalise_rows(const H5adSource& source, CsrMatrix& m,
                       const std::vector<std::int64_t>& rows, const std::string& element) {
  if (const auto defect = scgrad::canonicalise_rows(m, rows)) {
    hdf5::fail(source.at(element), *defect);
  }
}

}  // namespace scgrad::h5ad
