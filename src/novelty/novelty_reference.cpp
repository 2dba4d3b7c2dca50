#include "scgrad/novelty/novelty_reference.hpp"

#include <algorithm>

#include "scgrad/io/anndata_source.hpp"
#include "scgrad/preprocess/gene_names.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"

namespace scgrad {

NoveltyReference fit_novelty_reference(const AnnDataSource& file,
                                       const Preprocessing& preprocessing, bool allow_non_integer,
                                       const ReferenceCells& cells, const std::vector<float>& doubt,
                                       const std::vector<std::int32_t>& doubt_types,
                                       std::int64_t block_bytes) {
  const auto matrix = file.resolve_matrix_key(preprocessing.matrix);
  const CellNormaliser normaliser(
      file, preprocessing, match_genes(preprocessing.genes, training_gene_names(file, matrix)),
      allow_non_integer);
  const auto block_rows = std::max<std::int64_t>(rows_per_block(file, matrix, block_bytes), 1);
  NoveltyFitter fitter(static_cast<std::int64_t>(preprocessing.genes.size()), cells.n_types);
  // Two passes: the profiles need every cell, each cell's deviance the profiles without it.
  for (const bool calibrating : {false, true}) {
    for_each_block(file, matrix, cells.file_rows, block_rows,
                   [&](CsrMatrix&& read, std::size_t first) {
                     const auto* rows = cells.file_rows.data() + first;
                     auto block = normaliser.model_counts(std::move(read), rows);
                     std::vector<std::int32_t> types(
                         cells.types.begin() + static_cast<long>(first),
                         cells.types.begin() + static_cast<long>(first) + block.counts.n_rows);
                     // A cell without counts over the model's genes says nothing of its type.
                     for (std::size_t r = 0; r < types.size(); ++r) {
                       if (!(block.library_size[r] > 0)) types[r] = -1;
                     }
                     if (calibrating) {
                       fitter.add_calibration_cells(block.counts, block.library_size, types);
                     } else {
                       fitter.add_profile_cells(block.counts, block.library_size, types);
                     }
                     read = std::move(block.counts);  // its memory: the next block's
                   });
  }
  return fitter.finish(doubt, doubt_types);
}

}  // namespace scgrad
