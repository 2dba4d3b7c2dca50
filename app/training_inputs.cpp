#include "training_inputs.hpp"

#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/train/dense_tensors.hpp"
#include "scgrad/train/streaming_input.hpp"

namespace scgrad::app {

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

/// Inputs to be filled, with the scaling (double statistics of the training cells) as float32.
Inputs with_scaling(const ScalingStats& scaling) {
  Inputs inputs;
  inputs.mean.assign(scaling.mean.begin(), scaling.mean.end());
  inputs.sd.assign(scaling.sd.begin(), scaling.sd.end());
  return inputs;
}

}  // namespace

Inputs dense_inputs(const PreparedData& data) {
  const auto n_classes = data.cells.classes.size();
  const bool split = !data.split.test.empty();
  const auto x_all = to_dense_tensor(data.log_cpm);
  auto rows_of = [&](const std::vector<std::int64_t>& cells) {
    return x_all.index_select(0, torch::tensor(cells, torch::kInt64));
  };
  auto x_train = split ? rows_of(data.split.train) : x_all;
  const auto stats = fit_scaling(x_train);
  apply_scaling(x_train, stats);
  Inputs inputs;
  inputs.train = {std::make_shared<DenseInput>(x_train),
                  targets_tensor(targets_of(data, data.split.train), n_classes)};
  if (split) {
    auto x_test = rows_of(data.split.test);
    apply_scaling(x_test, stats);
    inputs.test = LabelledData{std::make_shared<DenseInput>(x_test),
                               targets_tensor(targets_of(data, data.split.test), n_classes)};
  }
  inputs.mean = to_floats(stats.mean);
  inputs.sd = to_floats(stats.sd);
  return inputs;
}

Inputs sparse_inputs(PreparedData& data) {
  const auto n_classes = data.cells.classes.size();
  auto inputs = with_scaling(data.scaling);
  const auto mean = torch::tensor(inputs.mean);
  const auto sd = torch::tensor(inputs.sd);
  const bool split = !data.split.test.empty();
  auto train = split
                   ? std::make_shared<const CsrMatrix>(select_rows(data.log_cpm, data.split.train))
                   : std::make_shared<const CsrMatrix>(std::move(data.log_cpm));
  inputs.train = {std::make_shared<SparseInput>(train, mean, sd),
                  targets_tensor(targets_of(data, data.split.train), n_classes)};
  if (split) {
    auto test = std::make_shared<const CsrMatrix>(select_rows(data.log_cpm, data.split.test));
    inputs.test = LabelledData{std::make_shared<SparseInput>(test, mean, sd),
                               targets_tensor(targets_of(data, data.split.test), n_classes)};
    data.log_cpm = CsrMatrix();  // the split copies replace it
  }
  return inputs;
}

Inputs streaming_inputs(const std::shared_ptr<const H5adFile>& file,
                        const StreamedPreparation& prep, const PrepareOptions& options,
                        std::int64_t chunk_bytes, std::int64_t batch_size) {
  const auto& data = prep.data;
  const auto n_classes = data.cells.classes.size();
  auto inputs = with_scaling(data.scaling);
  const auto mean = torch::tensor(inputs.mean);
  const auto sd = torch::tensor(inputs.sd);
  // A chunk holds at least four minibatches, so that batches keep their size and mix cells.
  const auto chunk_rows =
      std::max(rows_per_block(*file, prep.matrix_key, chunk_bytes), 4 * batch_size);
  auto make = [&](const std::vector<std::int64_t>& cells) {
    std::vector<std::int64_t> rows;
    std::vector<double> library;
    for (const auto c : cells) {
      rows.push_back(data.cells.rows[static_cast<std::size_t>(c)]);
      library.push_back(data.library_size[static_cast<std::size_t>(c)]);
    }
    return LabelledData{
        std::make_shared<StreamingInput>(file, prep.matrix_key, rows, library, prep.kept_columns,
                                         options.log_cpm, mean, sd, chunk_rows),
        targets_tensor(targets_of(data, cells), n_classes)};
  };
  inputs.train = make(data.split.train);
  if (!data.split.test.empty()) inputs.test = make(data.split.test);
  return inputs;
}

}  // namespace scgrad::app
