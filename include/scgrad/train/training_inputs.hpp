#pragma once
/// @file training_inputs.hpp
/// From a file to the cells a training run sees: preprocessing (in memory, or in streaming
/// passes when the matrix is larger than the memory budget), then the training, validation and
/// held-out cells as model inputs: the exercise's dense X, the sparse log-CPM with the scaling
/// folded into the first layer, or cells streamed from the file chunk by chunk.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scgrad/preprocess/prepare_data.hpp"
#include "scgrad/train/fit_options.hpp"
#include "scgrad/train/trainer.hpp"

namespace scgrad {

class AnnDataSource;

/// Everything a training run needs, and what it was made from.
struct TrainingInputs {
  PreparedData data;  ///< cells, split, genes, library sizes; log_cpm is moved into the inputs
  TrainingSets sets;  ///< train = fit cells (training minus validation); validation; test
  bool streaming = false;
  bool sparse = false;  ///< the first layer runs on the sparse log-CPM (always when streaming)
  double density = 0;   ///< nonzero share of the selected cells' log-CPM over kept genes
  std::int64_t stored_bytes = 0;  ///< of the matrix in memory (8 per stored entry)
  double prepare_seconds = 0;
};

/// `on_pass(pass, rows_done, rows_total)` reports the streaming passes. With data-parallel
/// ranks (`group`) the streaming passes divide the cells among them. A streamed chunk holds at
/// least `batch_size` cells (one minibatch).
TrainingInputs prepare_training_inputs(
    const std::shared_ptr<const AnnDataSource>& file, const PrepareOptions& prepare,
    const InputOptions& options, std::int64_t batch_size,
    const std::function<void(int, std::int64_t, std::int64_t)>& on_pass = {},
    const ProcessGroup* group = nullptr);

/// Class index of each of `cells` (positions among the selected cells).
std::vector<std::int32_t> targets_of(const PreparedData& data,
                                     const std::vector<std::int64_t>& cells);

}  // namespace scgrad
