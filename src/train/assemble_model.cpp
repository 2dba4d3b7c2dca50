#include "scgrad/train/assemble_model.hpp"

#include "scgrad/io/anndata_source.hpp"
#include "scgrad/novelty/novelty_reference.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"
#include "scgrad/saved/network.hpp"
#include "scgrad/train/class_attribution.hpp"
#include "scgrad/train/classification.hpp"

namespace scgrad {

namespace {

/// The novelty reference of `saved`: its training cells (never the held-out ones) and the
/// doubt on cells the model did not train on.
NoveltyReference novelty_reference(const FittedClassifier& saved, const FitOptions& fit,
                                   const AnnDataSource& file, const DoubtCalibration& doubt) {
  const auto& data = saved.inputs.data;
  ReferenceCells cells;
  cells.n_types = saved.n_classes();
  for (const auto c : data.split.train) {
    cells.file_rows.push_back(data.cells.rows[static_cast<std::size_t>(c)]);
    cells.types.push_back(data.cells.targets[static_cast<std::size_t>(c)]);
  }
  return fit_novelty_reference(file, data.preprocessing, fit.prepare.allow_non_integer, cells,
                               doubt.doubt, doubt.predicted,
                               streaming_block_bytes(fit.input.max_memory));
}

}  // namespace

FittedModel assemble_fitted_model(const FittedClassifier& saved, const FittedClassifier& selected,
                                  const FitOptions& fit, const AnnDataSource& file,
                                  const DoubtCalibration& doubt) {
  const auto& data_file = file.path();
  const auto& data = saved.inputs.data;
  FittedModel bundle;
  bundle.model = fit.model;
  bundle.hidden = fit.hidden;
  bundle.spec = saved.model->spec();
  bundle.compute = saved.inputs.sparse ? ComputePath::sparse : ComputePath::dense;
  bundle.classes = data.cells.classes;
  bundle.preprocessing = data.preprocessing;
  bundle.label_key = fit.prepare.label_key;
  bundle.temperature = selected.temperature;
  store_weights(*saved.model, bundle);
  // Markers of a model with hidden layers: no weight links a gene to a class.
  if (fit.model_file_parts && has_hidden_layers(bundle.spec)) {
    const auto cells = model_training_cells(saved);
    const auto& pre = data.preprocessing;
    const auto attribution = class_attributions(
        *saved.model, *cells.input, target_classes(cells.targets, saved.n_classes()),
        saved.n_classes(), torch::tensor(pre.mean), torch::tensor(pre.sd), fit.training.group);
    bundle.marker_attribution.assign(attribution.data_ptr<float>(),
                                     attribution.data_ptr<float>() + attribution.numel());
  }
  if (fit.model_file_parts) bundle.novelty = novelty_reference(saved, fit, file, doubt);
  const auto& split = selected.inputs.data.split;
  bundle.training_numbers = {
      {"seed", static_cast<double>(fit.seed)},
      {"epochs", saved.results.best_epoch},
      {"max_epochs", fit.training.epochs},
      {"lr", fit.training.lr},
      {"batch_size", static_cast<double>(fit.training.batch_size)},
      {"weight_decay", saved.weight_decay},
      {"weight_decay_chosen", fit.weight_decay ? 0 : 1},
      {"class_weight_chosen", fit.class_weight_power ? 0 : 1},
      {"patience", fit.training.patience},
      {"test_fraction", fit.prepare.test_fraction},
      {"validation_fraction", fit.prepare.validation_fraction},
      {"train_cells", static_cast<double>(split.train.size())},
      {"validation_cells", static_cast<double>(split.validation.size())},
      {"test_cells", static_cast<double>(split.test.size())},
      {"selected_epoch", selected.results.best_epoch},
      {"novelty_calibration_runs", doubt.extra_runs},
      {"novelty_doubt_cells", static_cast<double>(doubt.doubt.size())},
      {"refit", &saved != &selected ? 1 : 0},
      {"saved_model_cells", static_cast<double>(saved.inputs.sets.train.input->rows())},
      {"final_train_loss", saved.results.final_train.loss},
      {"final_train_accuracy", saved.results.final_train.accuracy}};
  // The held-out figures describe the measured model (before the refit on every cell).
  if (selected.measured().final_test) {
    bundle.training_numbers["final_test_loss"] = selected.measured().final_test->loss;
    bundle.training_numbers["final_test_accuracy"] = selected.measured().final_test->accuracy;
  }
  bundle.training_strings = {{"data_file", data_file},
                             {"class_weight", class_weight_name(selected.class_weight_power)},
                             {"optimizer", saved.optimizer == Optimizer::lbfgs ? "lbfgs" : "adam"}};
  return bundle;
}

}  // namespace scgrad
