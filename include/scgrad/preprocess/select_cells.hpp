#pragma once
/// @file select_cells.hpp
/// Step 1 of the data flow: keep the cells whose label is one of the requested classes.

#include <cstdint>
#include <string>
#include <vector>

#include "scgrad/io/dataframe_column.hpp"

namespace scgrad {

struct CellSelection {
  std::vector<std::int64_t> rows;     ///< selected cells, in file order
  std::vector<std::int32_t> targets;  ///< class index of each selected cell (into `classes`)
  std::vector<std::string> classes;   ///< class names in target order
  std::vector<std::int64_t> class_counts;
  /// Cells without a label (missing: NaN, None, a categorical's -1; or empty or blank text),
  /// never selected.
  std::int64_t unlabelled = 0;
};

/// An empty or blank label means "no label" (pandas writes a missing string as ""), in every
/// reader: the file, the Python binding, a streamed file.
bool is_unlabelled(const std::string& label);

/// Keeps cells whose label is in `classes` (in file order). `{"all"}` takes every category
/// that has cells, unlabelled cells (is_unlabelled) never. Throws, listing the labels present with
/// their counts, when a class is absent or fewer than two classes are requested.
/// @param label_key only used in messages (the obs column the labels came from)
CellSelection select_cells(const Categorical& labels, const std::vector<std::string>& classes,
                           const std::string& label_key = "author_cell_type");

/// "A,B,C" → {"A","B","C"}, trimming spaces around names.
std::vector<std::string> split_class_list(const std::string& text);

}  // namespace scgrad
