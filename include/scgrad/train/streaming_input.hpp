#pragma once
/// @file streaming_input.hpp
/// Cells read from the .h5ad file as they are needed, for matrices larger than memory: each
/// epoch visits chunks of consecutive cells in shuffled order (one read per chunk), shuffles
/// the cells within a chunk into minibatches, as sparse rows for the model's first layer.

#include <memory>
#include <string>
#include <vector>

#include "scgrad/io/csr_matrix.hpp"
#include "scgrad/preprocess/preprocessing.hpp"
#include "scgrad/train/model_input.hpp"

namespace scgrad {

class H5adFile;

class StreamingInput : public ModelInput {
 public:
  /// @param normaliser reads cells of `file` as model inputs (the training preprocessing)
  /// @param file_rows the cells of this input (file rows, ascending)
  /// @param chunk_rows cells read from the file at a time
  StreamingInput(std::shared_ptr<const H5adFile> file,
                 std::shared_ptr<const CellNormaliser> normaliser,
                 std::vector<std::int64_t> file_rows, std::int64_t chunk_rows);

  std::int64_t rows() const override { return static_cast<std::int64_t>(file_rows_.size()); }
  ModelBatch batch(const std::vector<std::int64_t>* rows = nullptr) const override;
  std::vector<std::vector<std::int64_t>> epoch_batches(Random& random,
                                                       std::int64_t batch_size) const override;
  std::int64_t chunk_rows() const override { return chunk_rows_; }
  bool whole_batch_allowed() const override { return false; }

 private:
  /// Reads and preprocesses the cells at positions [first, first + count).
  CsrMatrix load_range(std::int64_t first, std::int64_t count) const;

  std::shared_ptr<const H5adFile> file_;  ///< kept open for the normaliser
  std::shared_ptr<const CellNormaliser> normaliser_;
  std::vector<std::int64_t> file_rows_;
  std::int64_t chunk_rows_;
  // The chunk read last: an epoch asks for all of a chunk's batches before the next chunk.
  mutable std::int64_t cached_first_ = -1;
  mutable std::shared_ptr<const CsrMatrix> cached_;
};

}  // namespace scgrad
