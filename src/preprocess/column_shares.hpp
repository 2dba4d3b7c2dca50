#pragma once
// Per-gene accumulations over many cells, on every core without changing a bit: the cores
// share the genes (columns), not the cells. Each thread walks every row in the given order
// but only over its own columns, so each column's values arrive in the order a single thread
// would add them. Private to src/preprocess (OpenMP in a template).

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "scgrad/util/csr_matrix.hpp"
#include "scgrad/util/rank_share.hpp"

namespace scgrad {

/// Calls visit(column, value) for each entry of `rows` of `m` (rows' columns ascending, as a
/// file's rows are read), a column's entries always on the same thread and in row order.
template <class Visit>
void visit_columns_shared(const CsrMatrix& m, const std::vector<std::int64_t>& rows,
                          const Visit& visit) {
#pragma omp parallel
  {
    const auto [first, last] =
        contiguous_share(m.n_cols, omp_get_thread_num(), omp_get_num_threads());
    const auto* indices = m.indices.data();
    for (const auto r : rows) {
      const auto row_end = m.indptr[r + 1];
      // The row's entries are ordered by column: this thread's are one run of them.
      auto k = std::lower_bound(indices + m.indptr[r], indices + row_end, first) - indices;
      for (; k < row_end && indices[k] < last; ++k) visit(indices[k], m.data[k]);
    }
  }
}

}  // namespace scgrad
