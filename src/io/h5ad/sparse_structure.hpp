#pragma once
// Checks shared by the CSR and CSC row readers: indptr (read once per matrix and cached),
// index ranges, and rows brought to canonical form (columns ascending, none repeated).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "h5ad_source.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/util/csr_matrix.hpp"

namespace scgrad::h5ad {

/// Checked indptr per sparse matrix (by HDF5 path): streaming reads a matrix chunk by chunk,
/// and each chunk would otherwise read and check the whole indptr again (8 MB per million cells).
using IndptrCache = std::map<std::string, std::vector<std::int64_t>>;

/// The matrix's indptr, read whole and checked once: starts at 0, never decreases, ends at the
/// entry count.
const std::vector<std::int64_t>& checked_indptr(const H5adSource& source, const MatrixInfo& m,
                                                hid_t group, IndptrCache& cache);

/// Every index lies in [0, bound).
void check_index_range(const H5adSource& source, const std::vector<std::int32_t>& indices,
                       std::int64_t bound, const std::string& element);

/// Each row's columns in range, ascending (rows stored unsorted, as anndata writes them after
/// reordering genes, are sorted) and never repeated: a repeated column would be summed by scipy
/// but normalised twice here, so it is refused with the fix. Row i of `m` is row rows[i] of the
/// file.
void canonicalise_rows(const H5adSource& source, CsrMatrix& m,
                       const std::vector<std::int64_t>& rows, const std::string& element);

}  // namespace scgrad::h5ad
