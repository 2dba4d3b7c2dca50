#include "scgrad/io/anndata_source.hpp"

#include <string>

#include "scgrad/error.hpp"

namespace scgrad {

const char* to_string(MatrixStorage storage) {
  switch (storage) {
    case MatrixStorage::dense:
      return "dense";
    case MatrixStorage::csr:
      return "csr_matrix";
    case MatrixStorage::csc:
      return "csc_matrix";
  }
  return "unknown";
}

void check_row_numbers(const std::vector<std::int64_t>& rows, std::int64_t n_rows,
                       const char* caller) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= n_rows || (i > 0 && rows[i] <= rows[i - 1])) {
      throw OptionError(std::string(caller) +
                        ": row numbers must be ascending, distinct and below " +
                        std::to_string(n_rows));
    }
  }
}

}  // namespace scgrad
