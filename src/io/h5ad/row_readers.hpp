#pragma once
// Reading selected rows of a matrix as CSR with float values, one reader per storage. Rows are
// ascending and distinct (checked by the caller).

#include <cstdint>
#include <vector>

#include "h5ad_source.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/util/csr_matrix.hpp"

namespace scgrad::h5ad {

// Wanted entries closer than this are read in one request and the gap is dropped: one larger
// read beats many small ones on chunked, compressed data.
constexpr std::int64_t kMaxGapEntries = 1 << 16;
// Reads with gaps go through a staging buffer of at most this many entries.
constexpr std::int64_t kMaxStagedEntries = 1 << 22;

/// CSR: only the selected rows' entries are read. `group` is the matrix's open group, `indptr`
/// its checked indptr (checked_indptr). The result is read into `storage`'s vectors.
CsrMatrix read_csr_rows(const H5adSource& source, const MatrixInfo& m, hid_t group,
                        const std::vector<std::int64_t>& indptr,
                        const std::vector<std::int64_t>& rows, CsrMatrix storage = {});

/// CSC: a row's entries are spread over every column, and only `indices` says where. All of
/// `indices` is read (in pieces of at most kMaxStagedEntries, 4 bytes per stored entry) to find
/// them; of `data`, only the selected rows' values (and gaps under kMaxGapEntries) are read.
/// Reading a CSC matrix in k row blocks therefore reads `indices` k times: for streaming,
/// CSR storage reads each entry once.
CsrMatrix read_csc_rows(const H5adSource& source, const MatrixInfo& m, hid_t group,
                        const std::vector<std::int64_t>& indptr,
                        const std::vector<std::int64_t>& rows);

/// Dense: runs of consecutive rows in blocks of at most 1024 rows; zeros dropped.
CsrMatrix read_dense_rows(const H5adSource& source, const MatrixInfo& m,
                          const std::vector<std::int64_t>& rows);

}  // namespace scgrad::h5ad
