#pragma once
// `scgrad train`'s three ways to feed the model: the exercise's dense X, the sparse log-CPM in
// memory, or cells streamed from the file.

#include <memory>
#include <optional>
#include <vector>

#include "scgrad/preprocess/prepare_data.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"
#include "scgrad/train/trainer.hpp"

namespace scgrad {
class H5adFile;
}

namespace scgrad::app {

/// The training and held-out cells as model inputs, and the scaling they use.
struct Inputs {
  LabelledData train;
  std::optional<LabelledData> test;
  std::vector<float> mean, sd;  ///< per gene, for the model file
};

/// Class index of each of `cells` (positions among the selected cells).
std::vector<std::int32_t> targets_of(const PreparedData& data,
                                     const std::vector<std::int64_t>& cells);

/// Dense: the exercise's X, scaled with statistics of the training cells (torch, float32).
Inputs dense_inputs(const PreparedData& data);

/// Sparse: log-CPM stays CSR; the scaling (fitted on the training cells) is folded into the
/// first layer. `data.log_cpm` is moved from.
Inputs sparse_inputs(PreparedData& data);

/// Streaming: nothing is held but one chunk of cells at a time (`chunk_bytes`, and at least
/// four minibatches).
Inputs streaming_inputs(const std::shared_ptr<const H5adFile>& file,
                        const StreamedPreparation& prep, const PrepareOptions& options,
                        std::int64_t chunk_bytes, std::int64_t batch_size);

}  // namespace scgrad::app
