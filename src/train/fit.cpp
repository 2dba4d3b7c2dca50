#include "scgrad/train/fit.hpp"

#include "scgrad/infer/calibration.hpp"
#include "scgrad/io/open_anndata.hpp"
#include "scgrad/train/assemble_model.hpp"
#include "scgrad/train/fit_classifier.hpp"

namespace scgrad {

namespace {

/// The measured model on the held-out cells, or on the training cells when none are held out.
ClassificationReport evaluate_measured(const FittedClassifier& fitted, bool held_out,
                                       const ProcessGroup* group) {
  const auto& data = fitted.inputs.data;
  const auto& set = held_out ? *fitted.inputs.sets.test : fitted.inputs.sets.train;
  const auto& cells = held_out ? data.split.test : fit_cells(data.split);
  const auto predictions = predict_set(*fitted.model, set, fitted.n_classes(), group);
  const auto truth = targets_of(data, cells);
  auto report = classification_report(truth, predictions.classes, fitted.n_classes(),
                                      predictions.probability_of_first);
  report.ece = expected_calibration_error(
      tempered(predictions.probabilities, fitted.n_classes(), fitted.temperature),
      fitted.n_classes(), truth);
  report.ece_uncalibrated =
      expected_calibration_error(predictions.probabilities, fitted.n_classes(), truth);
  return report;
}

}  // namespace

FitResult fit(const std::string& path, const FitOptions& options, const FitCallbacks& callbacks) {
  return fit(open_anndata(path, options.input.max_memory), options, callbacks);
}

FitResult fit(const std::shared_ptr<const AnnDataSource>& file, const FitOptions& options,
              const FitCallbacks& callbacks) {
  const auto& path = file->path();
  const auto selected = fit_classifier(file, options, callbacks);
  FitResult result;
  result.data = describe(selected.inputs, options, path);
  result.weight_decay = selected.weight_decay;
  result.class_weight_power = selected.class_weight_power;
  result.class_weights = selected.class_weights;
  result.candidates = selected.candidates;
  result.selected_candidate = selected.selected_candidate;
  result.chosen_by_classification = selected.chosen_by_classification;
  result.selection = selected.results;
  result.retrained = selected.retrained;
  result.held_out = selected.inputs.sets.test.has_value();
  result.temperature = selected.temperature;
  result.evaluation = evaluate_measured(selected, result.held_out, options.training.group);
  if (callbacks.on_measured) callbacks.on_measured(result);
  // The doubt calibration serves the novelty reference alone.
  const auto doubt =
      options.model_file_parts ? doubt_calibration(file, options, selected) : DoubtCalibration{};
  result.novelty_calibration_runs = doubt.extra_runs;
  if (!options.refit) {
    result.model = assemble_fitted_model(selected, selected, options, *file, doubt);
    return result;
  }
  const auto cells = static_cast<std::int64_t>(selected.inputs.data.cells.rows.size());
  if (callbacks.on_refit) {
    callbacks.on_refit(cells, selected.weight_decay * selected_cells_ratio(selected, cells),
                       refit_epochs(selected));
  }
  FitCallbacks refit_callbacks;  // its run's table only: nothing is chosen or retrained
  refit_callbacks.on_candidate = callbacks.on_candidate;
  refit_callbacks.training = callbacks.training;
  const auto refitted = refit_classifier(file, options, selected, refit_callbacks);
  const auto& run = refitted.results;
  result.refit = RefitSummary{static_cast<std::int64_t>(refitted.inputs.data.cells.rows.size()),
                              static_cast<std::int64_t>(refitted.inputs.data.genes().size()),
                              run.best_epoch,
                              refitted.weight_decay,
                              refitted.class_weights,
                              run.final_train};
  result.model = assemble_fitted_model(refitted, selected, options, *file, doubt);
  return result;
}

}  // namespace scgrad
