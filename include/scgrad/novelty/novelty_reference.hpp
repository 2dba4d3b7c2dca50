#pragma once
/// @file novelty_reference.hpp
/// The novelty reference of a trained model (novelty/novelty.hpp), from its training file: the
/// reference cells are read twice in blocks, their counts over the model's genes with the
/// model's own library sizes, so that memory stays within the training's budget.

#include <cstdint>
#include <vector>

#include "scgrad/novelty/novelty.hpp"
#include "scgrad/preprocess/preprocessing.hpp"

namespace scgrad {

class AnnDataSource;

struct ReferenceCells {
  std::vector<std::int64_t> file_rows;  ///< ascending
  std::vector<std::int32_t> types;      ///< each cell's class
  std::size_t n_types = 0;
};

/// `doubt` and `doubt_types`: 1 - confidence of the validation cells and their predicted
/// classes (empty: none). Blocks of about `block_bytes` of matrix.
NoveltyReference fit_novelty_reference(const AnnDataSource& file,
                                       const Preprocessing& preprocessing, bool allow_non_integer,
                                       const ReferenceCells& cells, const std::vector<float>& doubt,
                                       const std::vector<std::int32_t>& doubt_types,
                                       std::int64_t block_bytes);

}  // namespace scgrad
