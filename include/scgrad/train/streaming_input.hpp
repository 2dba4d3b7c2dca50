#pragma once
/// @file streaming_input.hpp
/// Cells read from the .h5ad file as they are needed, for matrices larger than memory: each
/// epoch visits chunks of consecutive cells in shuffled order (one read per chunk), shuffles
/// the cells within a chunk into minibatches, as sparse rows for the model's first layer.
/// While the model computes on one chunk, the next one (the epoch's next, or the following one
/// when walking in order as evaluation does) is read and preprocessed on another thread: two
/// chunks are in memory at once, and the memory of the last one let go (SpareBlock), which the
/// next read reuses.

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "scgrad/infer/model_input.hpp"
#include "scgrad/preprocess/preprocessing.hpp"
#include "scgrad/util/csr_matrix.hpp"
#include "scgrad/util/spare_block.hpp"

namespace scgrad {

class AnnDataSource;

class StreamingInput : public ModelInput {
 public:
  /// @param normaliser reads cells of `file` as model inputs (the training preprocessing)
  /// @param file_rows the cells of this input (file rows, ascending)
  /// @param chunk_rows cells read from the file at a time
  /// @param spare where chunks let go are kept for the next read: one for the inputs of a run
  /// (training, validation, held-out cells) that are read in turn; a new one when null
  StreamingInput(std::shared_ptr<const AnnDataSource> file,
                 std::shared_ptr<const CellNormaliser> normaliser,
                 std::vector<std::int64_t> file_rows, std::int64_t chunk_rows,
                 std::shared_ptr<SpareBlock> spare = nullptr);

  std::int64_t rows() const override { return static_cast<std::int64_t>(file_rows_.size()); }
  ModelBatch batch(const std::vector<std::int64_t>* rows = nullptr) const override;
  std::vector<std::vector<std::int64_t>> epoch_batches(Random& random,
                                                       std::int64_t batch_size) const override;
  /// The batch's cells in rank `rank`'s contiguous part of their chunk (a batch lies in one
  /// chunk); batch() then reads only that part of the chunk (and of the next, ahead).
  std::vector<std::int64_t> rank_positions(const std::vector<std::int64_t>& rows, int rank,
                                           int size) const override;
  /// The chunks cut to [first, last), each read while the model computes on the one before.
  void visit_range(
      std::int64_t first, std::int64_t last, std::int64_t max_rows,
      const std::function<void(const ModelBatch&, std::int64_t)>& visit) const override;
  std::int64_t chunk_rows() const override { return chunk_rows_; }
  bool whole_batch_allowed() const override { return false; }

 private:
  /// Reads and preprocesses the cells at positions [first, first + count).
  CsrMatrix load_range(std::int64_t first, std::int64_t count) const;
  /// The cells [first, first + count): the prefetched ones when they are those, else read now;
  /// then starts reading [next_first, next_first + next_count) (nothing when next_count is 0).
  std::shared_ptr<const CsrMatrix> load_ahead(std::int64_t first, std::int64_t count,
                                              std::int64_t next_first,
                                              std::int64_t next_count) const;
  /// The chunk starting at `chunk_first`, or this rank's part of it (load_ahead); meanwhile the
  /// same of the chunk expected after it is read.
  std::shared_ptr<const CsrMatrix> load_chunk(std::int64_t chunk_first,
                                              bool rank_part_only = false) const;
  /// The chunk expected after `chunk_first`: the next of this epoch's order (the first chunk
  /// after the epoch's last), or the following chunk when walking in order; -1 at the end.
  std::int64_t chunk_after(std::int64_t chunk_first) const;

  std::shared_ptr<const AnnDataSource> file_;  ///< kept open for the normaliser
  std::shared_ptr<const CellNormaliser> normaliser_;
  std::vector<std::int64_t> file_rows_;
  std::int64_t chunk_rows_;
  std::shared_ptr<SpareBlock> spare_;
  /// [first, last) of this rank's part of the chunk holding cell `row`, with `size` ranks.
  std::pair<std::int64_t, std::int64_t> rank_part(std::int64_t row, int rank, int size) const;

  // The chunk (or rank's part of it) read last: an epoch asks for all of a chunk's batches
  // before the next chunk.
  mutable std::int64_t cached_first_ = -1;
  mutable std::int64_t cached_count_ = 0;
  mutable std::shared_ptr<const CsrMatrix> cached_;
  mutable int rank_ = 0;  ///< as rank_positions was last asked: batch() reads this rank's part
  mutable int ranks_ = 1;
  mutable std::vector<std::int64_t> epoch_chunks_;  ///< the last epoch_batches' chunk order
  mutable std::size_t next_planned_ = 0;            ///< of epoch_chunks_, the next to be read
  mutable std::int64_t prefetch_first_ = -1;
  mutable std::int64_t prefetch_count_ = 0;
  mutable std::future<CsrMatrix> prefetch_;  ///< waited for by its destructor
};

}  // namespace scgrad
