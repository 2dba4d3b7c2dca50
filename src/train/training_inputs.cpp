#include "scgrad/train/training_inputs.hpp"

#include <chrono>
#include <sstream>

#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/train/dense_tensors.hpp"
#include "scgrad/train/streaming_input.hpp"

namespace scgrad {

std::vector<std::int32_t> targets_of(const PreparedData& data,
                                     const std::vector<std::int64_t>& cells) {
  std::vector<std::int32_t> out;
  for (const auto c : cells) out.push_back(data.cells.targets[static_cast<std::size_t>(c)]);
  return out;
}

namespace {

std::vector<float> to_floats(const torch::Tensor& t) {
  const auto c = t.reshape({-1}).contiguous();
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

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

/// The preparation's statistics (of the training cells) as the float32 rows X is scaled with.
ScalingTensors scaling_tensors(const ScalingStats& scaling) {
  const auto row = [](const std::vector<double>& v) {
    return torch::tensor(std::vector<float>(v.begin(), v.end())).reshape({1, -1});
  };
  return {row(scaling.mean), row(scaling.sd)};
}

/// Dense: the exercise's X, scaled with the preparation's statistics of the training cells —
/// the same numbers the sparse and streamed paths use.
void dense_inputs(TrainingInputs& inputs) {
  const auto& data = inputs.data;
  const auto x_all = to_dense_tensor(data.log_cpm);
  const auto stats = scaling_tensors(data.scaling);
  const bool everything = data.split.test.empty() && data.split.validation.empty();
  inputs.sets = make_sets(data, [&](const std::vector<std::int64_t>& cells) {
    // The exercise (one set of all cells) scales X in place, as its `scale` does.
    auto x = everything ? x_all : x_all.index_select(0, torch::tensor(cells, torch::kInt64));
    apply_scaling(x, stats);
    return std::make_shared<DenseInput>(x);
  });
  inputs.mean = to_floats(stats.mean);
  inputs.sd = to_floats(stats.sd);
  inputs.data.log_cpm = CsrMatrix();
}

/// Sparse: log-CPM stays CSR; the scaling (fitted on the training cells) is folded into the
/// first layer.
void sparse_inputs(TrainingInputs& inputs) {
  auto& data = inputs.data;
  inputs.mean.assign(data.scaling.mean.begin(), data.scaling.mean.end());
  inputs.sd.assign(data.scaling.sd.begin(), data.scaling.sd.end());
  const auto mean = torch::tensor(inputs.mean);
  const auto sd = torch::tensor(inputs.sd);
  const bool everything = data.split.test.empty() && data.split.validation.empty();
  auto all = std::make_shared<const CsrMatrix>(std::move(data.log_cpm));
  data.log_cpm = CsrMatrix();
  inputs.sets = make_sets(data, [&](const std::vector<std::int64_t>& cells) {
    auto rows = everything ? all : std::make_shared<const CsrMatrix>(select_rows(*all, cells));
    return std::make_shared<SparseInput>(rows, mean, sd);
  });
}

/// Streaming: nothing is held but one chunk of cells at a time (`chunk_bytes`, and at least
/// four minibatches).
void streaming_inputs(TrainingInputs& inputs, const std::shared_ptr<const H5adFile>& file,
                      const StreamedPreparation& prep, const LogCpmOptions& log_cpm,
                      std::int64_t chunk_bytes, std::int64_t batch_size) {
  const auto& data = inputs.data;
  inputs.mean.assign(data.scaling.mean.begin(), data.scaling.mean.end());
  inputs.sd.assign(data.scaling.sd.begin(), data.scaling.sd.end());
  const auto mean = torch::tensor(inputs.mean);
  const auto sd = torch::tensor(inputs.sd);
  // A chunk holds at least four minibatches, so that batches keep their size and mix cells.
  const auto chunk_rows =
      std::max(rows_per_block(*file, prep.matrix_key, chunk_bytes), 4 * batch_size);
  inputs.sets = make_sets(data, [&](const std::vector<std::int64_t>& cells) {
    std::vector<std::int64_t> rows;
    std::vector<double> library;
    for (const auto c : cells) {
      rows.push_back(data.cells.rows[static_cast<std::size_t>(c)]);
      library.push_back(data.library_size[static_cast<std::size_t>(c)]);
    }
    return std::make_shared<StreamingInput>(file, prep.matrix_key, rows, library, prep.kept_columns,
                                            log_cpm, mean, sd, chunk_rows);
  });
}

std::string gigabytes(std::int64_t bytes) {
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << static_cast<double>(bytes) / 1e9 << " GB";
  return out.str();
}

}  // namespace

TrainingInputs prepare_training_inputs(
    const std::shared_ptr<const H5adFile>& file, const PrepareOptions& prepare,
    const InputOptions& options,
    const std::function<void(int, std::int64_t, std::int64_t)>& on_pass) {
  const auto started = std::chrono::steady_clock::now();
  TrainingInputs inputs;
  inputs.stored_bytes =
      8 * file->matrix_info(file->resolve_matrix_key(prepare.matrix)).stored_values;
  inputs.streaming = inputs.stored_bytes > options.max_memory;
  if (inputs.streaming && options.batch_size <= 0) {
    throw Error(file->path() + ": the matrix (" + gigabytes(inputs.stored_bytes) +
                ") is larger than the memory budget (" + gigabytes(options.max_memory) +
                "), so cells are streamed from disk, which needs minibatches (batch size > 0)");
  }
  if (inputs.streaming && options.compute == "dense") {
    throw Error(file->path() + ": dense compute needs the matrix in memory (" +
                gigabytes(inputs.stored_bytes) + "); raise the memory budget");
  }
  // Streaming reads blocks of a quarter of the budget, at most 512 MB (larger buys nothing).
  const auto chunk_bytes = std::min<std::int64_t>(options.max_memory / 4, std::int64_t{512} << 20);
  StreamedPreparation streamed;
  std::int64_t nonzeros = 0;
  if (inputs.streaming) {
    streamed = prepare_streaming(*file, prepare, chunk_bytes, on_pass);
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
                                       static_cast<double>(inputs.data.genes.size()));
  inputs.sparse = inputs.streaming || options.compute == "sparse" ||
                  (options.compute == "auto" && inputs.density < options.sparse_below);
  if (inputs.streaming) {
    streaming_inputs(inputs, file, streamed, prepare.log_cpm, chunk_bytes, options.batch_size);
  } else if (inputs.sparse) {
    sparse_inputs(inputs);
  } else {
    dense_inputs(inputs);
  }
  return inputs;
}

}  // namespace scgrad
