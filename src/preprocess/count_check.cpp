#include "scgrad/preprocess/count_check.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "scgrad/error.hpp"
#include "scgrad/io/anndata_source.hpp"
#include "scgrad/io/dataframe_column.hpp"

namespace scgrad {

namespace {

enum class Defect { none, not_finite, negative, fraction };

Defect defect_of(float value, bool allow_non_integer) {
  if (!std::isfinite(value)) return Defect::not_finite;
  if (value < 0) return Defect::negative;
  if (!allow_non_integer && value != std::floor(value)) return Defect::fraction;
  return Defect::none;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

[[noreturn]] void refuse(const CountCheck& check, Defect defect, float value, std::int64_t row,
                         std::int64_t column) {
  const auto& file = *check.file;
  const auto cell = file.obs_names()[static_cast<std::size_t>(row)];
  const auto gene = file.var_names(check.matrix_key)[static_cast<std::size_t>(column)];
  const std::string shown = std::isnan(value)   ? "NaN"
                            : std::isinf(value) ? (value > 0 ? "Inf" : "-Inf")
                                                : format_number(value);
  const std::string holds = "holds " + shown + " for cell '" + cell + "', gene '" + gene + "'";
  const std::string choose =
      "choose a matrix of raw counts (e.g. raw/X or layers/counts; this "
      "file has: " +
      join(file.matrix_keys()) + ")";
  std::string what;
  std::vector<std::string> settings = {"matrix"};
  switch (defect) {
    case Defect::not_finite:
      what = "values must be finite; remove or fix the cells with NaN/Inf, or " + choose;
      break;
    case Defect::negative:
      what =
          "not counts (negative; scaled or corrected data?): log-CPM needs counts >= 0; " + choose;
      break;
    default:
      what = "not counts (a fraction; already normalised?): log-CPM needs raw counts; " + choose +
             ", or allow non-integer counts if these are non-integer amounts on purpose (e.g. "
             "estimated counts)";
      settings.emplace_back("allow_non_integer");
  }
  throw InputError(file.path(), check.matrix_key, holds + ": " + what, settings);
}

/// Whether every value of the row is a usable count (defect_of is none). No branch and no
/// early exit, so that the loop vectorises: every float from 2^23 up is whole, and below it
/// adding and subtracting 2^23 rounds a value to a whole number, leaving only whole ones as
/// they were.
bool row_holds_counts(const CsrMatrix& block, std::int64_t row, bool allow_non_integer) {
  constexpr float kAllWhole = 8388608.0F;  // 2^23
  const int fractions_allowed = allow_non_integer ? 1 : 0;
  int counts = 1;
  for (auto k = block.indptr[row]; k < block.indptr[row + 1]; ++k) {
    const float x = block.data[k];
    const int whole =
        static_cast<int>(x >= kAllWhole) | static_cast<int>((x + kAllWhole) - kAllWhole == x);
    counts &=
        static_cast<int>(x >= 0.0F) & static_cast<int>(x <= FLT_MAX) & (fractions_allowed | whole);
  }
  return counts != 0;
}

}  // namespace

void check_row_counts(const CsrMatrix& block, std::int64_t row, const std::int64_t* file_rows,
                      const CountCheck& check) {
  if (row_holds_counts(block, row, check.allow_non_integer)) return;
  for (auto k = block.indptr[row]; k < block.indptr[row + 1]; ++k) {
    const auto defect = defect_of(block.data[k], check.allow_non_integer);
    if (defect != Defect::none) {
      refuse(check, defect, block.data[k], file_rows[row], block.indices[k]);
    }
  }
}

void check_counts(const CsrMatrix& block, const std::int64_t* file_rows, const CountCheck& check) {
  // The cores look for the first bad row together; the message is then made from that row.
  std::int64_t first_bad = block.n_rows;
#pragma omp parallel for schedule(static, 256) reduction(min : first_bad)
  for (std::int64_t r = 0; r < block.n_rows; ++r) {
    if (!row_holds_counts(block, r, check.allow_non_integer)) first_bad = std::min(first_bad, r);
  }
  if (first_bad < block.n_rows) check_row_counts(block, first_bad, file_rows, check);
}

}  // namespace scgrad
