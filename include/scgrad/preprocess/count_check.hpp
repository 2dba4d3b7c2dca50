#pragma once
/// @file count_check.hpp
/// log-CPM is defined for counts. Before normalising, every block of values read from a file
/// is checked: NaN and ±Inf are always refused; negative values are refused (log-CPM of a
/// negative amount is meaningless); fractions are refused unless the user says the matrix
/// holds non-integer amounts on purpose (`--allow-non-counts`: estimated counts, ambient-
/// corrected counts). The message names the file, the matrix, the cell and gene of the first
/// bad value, and the matrices to choose instead.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/util/csr_matrix.hpp"

namespace scgrad {

class AnnDataSource;

struct CountCheck {
  const AnnDataSource* file = nullptr;
  std::string matrix_key;          ///< the matrix the block was read from
  bool allow_non_integer = false;  ///< --allow-non-counts
};

/// Throws Error at the first value of `block` that is not a usable count. Row r of the block
/// is row file_rows[r] of the matrix; its columns are the matrix's columns (check before
/// selecting genes).
void check_counts(const CsrMatrix& block, const std::int64_t* file_rows, const CountCheck& check);

/// The same for row `row` of the block alone (for passes that walk a block row by row).
void check_row_counts(const CsrMatrix& block, std::int64_t row, const std::int64_t* file_rows,
                      const CountCheck& check);

}  // namespace scgrad
