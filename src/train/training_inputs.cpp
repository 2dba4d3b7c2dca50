#include "scgrad/train/training_inputs.hpp"

#include <chrono>

#include "scgrad/distributed/process_group.hpp"
#include "scgrad/infer/dense_tensors.hpp"
#include "scgrad/io/anndata_source.hpp"
#include "scgrad/model/input_linear.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/train/streaming_input.hpp"

namespace scgrad {

std::vector<std::int32_t> targets_of(const PreparedData& data,
                                     const std::vector<std::int64_t>& cells) {
  std::vector<std::int32_t> out;
  for (const auto c : cells) out.push_back(data.cells.targets[static_cast<std::size_t>(c)]);
  return out;
}

namespace {

/// The three sets from one function that turns a list of cells into a model input.
template <typename MakeInput>
TrainingSets make_sets(const PreparedData& data, MakeInput&& make) {
  const auto n_classes = data.cells.classes.size();
  auto labelled = [&](const std::vector<std::int64_t>& cells) {
    return LabelledData{make(cells), targets_tensor(targets_of(data, cells), n_classes)};
  };
  TrainingSets sets{labelled(fit_cells(data.split)), std::nullopt, std::nullopt};
  if (!data.split.validation.empty()) sets.validation = labelled(data.split.validation);
  if (!data.split.test.empty()) sets.test = labelled(data.split.test);
  return sets;
}

/// Dense: the exercise's X, scaled with the preparation's statistics of the training cells —
/// the same numbers the sparse and streamed paths use.
void dense_inputs(TrainingInputs& inputs) {
  const auto& data = inputs.data;
  const auto x_all = to_dense_tensor(data.log_cpm);
  const ScalingTensors stats{torch::tensor(data.preprocessing.mean).reshape({1, -1}),
                             torch::tensor(data.preprocessing.sd).reshape({1, -1}),
                             data.preprocessing.max_value};
  const bool everything = data.split.test.empty() && data.split.validation.empty();
  inputs.sets = make_sets(data, [&](const std::vector<std::int64_t>& cells) {
    // The exercise (one set of all cells) scales X in place, as its `scale` does.
    auto x = everything ? x_all : x_all.index_select(0, torch::tensor(cells, torch::kInt64));
    apply_scaling(x, stats);
    return std::make_shared<DenseInput>(x);
  });
  inputs.data.log_cpm = CsrMatrix();
}

/// Sparse: log-CPM stays CSR; the model's first layer folds the scaling in. The clip is applied
/// to the stored values here, once, rather than by the first layer on every pass.
void sparse_inputs(TrainingInputs& inputs) {
  auto& data = inputs.data;
  const bool everything = data.split.test.empty() && data.split.validation.empty();
  const auto& preprocessing = data.preprocessing;
  const bool capped = preprocessing.max_value > 0;
  if (capped) {
    cap_stored_values(data.log_cpm,
                      value_caps(torch::tensor(preprocessing.mean), torch::tensor(preprocessing.sd),
                                 preprocessing.max_value));
  }
  auto all = std::make_shared<const CsrMatrix>(std::move(data.log_cpm));
  data.log_cpm = CsrMatrix();
  inputs.sets = make_sets(data, [&](const std::vector<std::int64_t>& cells) {
    auto rows = everything ? all : std::make_shared<const CsrMatrix>(select_rows(*all, cells));
    return std::make_shared<SparseInput>(rows, capped);
  });
}

/// Streaming: nothing is held but one chunk of cells at a time: `chunk_bytes` of matrix, or
/// one minibatch when that is larger (the budget is a target, never a refusal).
void streaming_inputs(TrainingInputs& inputs, const std::shared_ptr<const AnnDataSource>& file,
                      const StreamedPreparation& prep, bool allow_non_integer,
                      std::int64_t chunk_bytes, std::int64_t batch_size) {
  const auto& data = inputs.data;
  const auto normaliser = std::make_shared<const CellNormaliser>(*file, data.preprocessing,
                                                                 prep.columns, allow_non_integer);
  const auto chunk_rows =
      std::max(rows_per_block(*file, normaliser->matrix_key(), chunk_bytes), batch_size);
  const auto spare = std::make_shared<SpareBlock>();  // one for the sets: at most one chunk kept
  inputs.sets = make_sets(data, [&](const std::vector<std::int64_t>& cells) {
    std::vector<std::int64_t> rows;
    for (const auto c : cells) rows.push_back(data.cells.rows[static_cast<std::size_t>(c)]);
    return std::make_shared<StreamingInput>(file, normaliser, rows, chunk_rows, spare);
  });
}

}  // namespace
TrainingInputs prepare_training_inputs(
    const std::shared_ptr<const AnnDataSource>& file, const PrepareOptions& prepare,
    const InputOptions& options, std::int64_t batch_size,
    const std::function<void(int, std::int64_t, std::int64_t)>& on_pass,
    const ProcessGroup* group) {
  const auto started = std::chrono::steady_clock::now();
  TrainingInputs inputs;
  inputs.stored_bytes =
      8 * file->matrix_info(file->resolve_matrix_key(prepare.matrix)).stored_values;
  inputs.streaming = inputs.stored_bytes > options.max_memory;
  const auto chunk_bytes = streaming_block_bytes(options.max_memory);
  StreamedPreparation streamed;
  std::int64_t nonzeros = 0;
  if (inputs.streaming) {
    streamed = prepare_streaming(*file, prepare, chunk_bytes, on_pass, rank_share(group));
    inputs.data = std::move(streamed.data);
    nonzeros = streamed.nonzeros;
  } else {
    inputs.data = prepare_data(*file, prepare);
    nonzeros = inputs.data.log_cpm.nonzeros();
  }
  inputs.prepare_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  inputs.density =
      static_cast<double>(nonzeros) / (static_cast<double>(inputs.data.cells.rows.size()) *
                                       static_cast<double>(inputs.data.genes().size()));
  // Streamed cells always take the sparse first layer: a dense X needs the matrix in memory.
  inputs.sparse =
      inputs.streaming || options.compute == ComputeChoice::sparse ||
      (options.compute == ComputeChoice::automatic && inputs.density < options.sparse_below);
  if (inputs.streaming) {
    streaming_inputs(inputs, file, streamed, prepare.allow_non_integer, chunk_bytes, batch_size);
  } else if (inputs.sparse) {
    sparse_inputs(inputs);
  } else {
    dense_inputs(inputs);
  }
  return inputs;
}

}  // namespace scgrad
