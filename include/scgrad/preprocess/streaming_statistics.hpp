#pragma once
/// @file streaming_statistics.hpp
/// Preprocessing for files larger than memory: the same steps as prepare_data (select cells,
/// split, filter genes, library size, log-CPM, scaling statistics), computed in passes over
/// blocks of rows read from the file, so memory stays bounded whatever the number of cells.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scgrad/preprocess/prepare_data.hpp"
#include "scgrad/util/csr_matrix.hpp"
#include "scgrad/util/rank_share.hpp"

namespace scgrad {

class AnnDataSource;

/// What the streaming passes learn; the log-CPM values themselves stay in the file.
struct StreamedPreparation {
  PreparedData data;          ///< everything but data.log_cpm, which stays empty
  GeneColumns columns;        ///< file columns of the kept genes, ascending
  std::int64_t nonzeros = 0;  ///< stored entries of the selected cells, kept genes
};

/// The bytes of matrix read at a time when a file's matrix is larger than `max_memory`: a
/// quarter of it (room for the block being computed, the next one being read, and the model),
/// at most 512 MB (larger buys nothing). Training and predict both use it.
std::int64_t streaming_block_bytes(std::int64_t max_memory);

/// Rows per block so that one block of the matrix takes about `block_bytes` in memory.
std::int64_t rows_per_block(const AnnDataSource& file, const std::string& matrix_key,
                            std::int64_t block_bytes);

/// Two passes: gene totals on the training cells; then library sizes and the log-CPM mean and
/// SD of the training cells. `on_pass(pass, rows_done, rows_total)` reports progress. With
/// data-parallel `ranks`, each reads its contiguous share of the cells in each pass and the
/// partial sums are merged in rank order (every rank gets the same result).
StreamedPreparation prepare_streaming(
    const AnnDataSource& file, const PrepareOptions& options, std::int64_t block_bytes,
    const std::function<void(int, std::int64_t, std::int64_t)>& on_pass = {},
    const RankShare& ranks = {});

}  // namespace scgrad
