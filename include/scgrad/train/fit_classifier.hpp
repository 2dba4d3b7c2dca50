#pragma once
/// @file fit_classifier.hpp
/// Fitting a classifier the way a user needs it on data nobody tuned on:
///  1. model selection on the training cells only: for each candidate setting a model is
///     trained on the training cells minus a stratified validation set. L-BFGS (the logistic
///     model): every class weighting with every weight decay, each run to convergence, the
///     weight decays from the strongest penalty to the weakest, each warm-started from the one
///     before (scikit-learn's regularisation path); the winner classifies the validation cells
///     best (the sum of accuracy and macro-F1), ties going to the stronger penalty; class
///     weights win only without costing validation accuracy or macro-F1.
///     Adam: the epoch with the lowest validation loss is kept (early stopping); the weight
///     decays are tried with the first class weights, from the weakest penalty to the
///     strongest, stopping at the first that validates worse than the one before; the lowest
///     validation loss wins. The other class weights are then tried at that weight decay, and
///     one replaces the first only if it classifies the validation cells better; when weaker
///     weights win, stronger ones are not tried. The held-out (test) cells are measured, never
///     used to choose.
///  2. refit: the chosen settings (weight decay, epoch count) trained again on every labelled
///     cell, the gene filter and the scaling recomputed on all of them, for the saved model.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scgrad/model/classifier.hpp"
#include "scgrad/train/fit.hpp"
#include "scgrad/train/trainer.hpp"
#include "scgrad/train/training_inputs.hpp"

namespace scgrad {

class AnnDataSource;

struct FittedClassifier {
  /// The selection run's model (its kept epoch's weights), or the retrained one.
  std::shared_ptr<ClassifierImpl> model;
  TrainingInputs inputs;    ///< what it was trained and measured on
  TrainingResults results;  ///< of the chosen selection run (epochs, best epoch, validation)
  /// Of the retrain on all training cells (FitOptions::retrain_on_training_cells), if any.
  std::optional<TrainingResults> retrained;
  /// The run `model` comes from: its final_train and final_test describe the model measured.
  const TrainingResults& measured() const { return retrained ? *retrained : results; }
  double weight_decay = 0;                ///< the chosen (or given) one
  Optimizer optimizer = Optimizer::adam;  ///< as resolved from FitOptions::optimizer
  /// L-BFGS runs to convergence (FitOptions::lbfgs_patience 0): the most steps of one, which
  /// the retrain and the refit are given too; 0 when the selected run's step was chosen.
  int converge_within_steps = 0;
  /// The candidates were compared by validation accuracy + macro-F1 (the L-BFGS paths), not by
  /// validation loss.
  bool chosen_by_classification = false;
  double class_weight_power = 0;            ///< the chosen (or given) class weights
  std::vector<double> class_weights;        ///< as used (empty: none)
  std::vector<CandidateResult> candidates;  ///< every setting tried, in order
  std::size_t selected_candidate = 0;       ///< the winner's index in `candidates`
  /// Fitted on the validation cells with the selected model (calibration.hpp); 1 without
  /// validation cells. The retrained and refit models keep it.
  double temperature = 1;
  /// The selected model's 1 - confidence (calibrated) on each validation cell, and the class it
  /// predicts: what the novelty score's doubt is calibrated on. Empty without validation cells.
  std::vector<float> validation_doubt;
  std::vector<std::int32_t> validation_predicted;
  std::size_t n_classes() const { return inputs.data.cells.classes.size(); }
};

/// Every training cell: the fit cells, then the validation cells when there are any (one input,
/// without copying).
LabelledData all_training_cells(const TrainingSets& sets);

/// The cells `fitted.model` was trained on: every training cell when it was retrained, else
/// the fit cells.
LabelledData model_training_cells(const FittedClassifier& fitted);

/// FitOptions::optimizer, or its default for these inputs.
Optimizer resolve_optimizer(const FitOptions& options, const TrainingInputs& inputs);

/// What the inputs hold and how they are fed, for FitCallbacks::on_prepared and FitResult.
DataSummary describe(const TrainingInputs& inputs, const FitOptions& options,
                     const std::string& path);

/// Step 1: preprocess `file`, split it, select the weight decay and the epoch.
FittedClassifier fit_classifier(const std::shared_ptr<const AnnDataSource>& file,
                                const FitOptions& options, const FitCallbacks& callbacks = {});

/// Training the selected settings again on `cells` cells: the weight decay is multiplied by
/// (cells the selection run trained on / cells), so that λ = 1/(C·n) keeps scikit-learn's C,
/// the balance of penalty and summed loss.
double selected_cells_ratio(const FittedClassifier& selected, std::int64_t cells);

/// ... and trains for this many epochs. Adam: as many optimizer steps as the selection run took
/// to its best epoch (Goodfellow et al., Deep Learning, algorithm 7.2), so best_epoch x the
/// ratio above, rounded, at least 1. L-BFGS (full-batch steps): to convergence within
/// converge_within_steps when the selection ran to convergence, else best_epoch.
int epochs_for(const FittedClassifier& selected, std::int64_t cells);

/// epochs_for(selected, every selected cell).
int refit_epochs(const FittedClassifier& selected);

/// Step 2: train again on every selected cell (no test or validation set; gene filter and
/// scaling recomputed) for refit_epochs(selected) epochs with its weight decay scaled by
/// selected_cells_ratio.
FittedClassifier refit_classifier(const std::shared_ptr<const AnnDataSource>& file,
                                  const FitOptions& options, const FittedClassifier& selected,
                                  const FitCallbacks& callbacks = {});

/// What the novelty's doubt is calibrated on (novelty/novelty.hpp): 1 - confidence of
/// reference cells the model did not train on, and the classes it predicts for them.
struct DoubtCalibration {
  std::vector<float> doubt;
  std::vector<std::int32_t> predicted;
  int extra_runs = 0;  ///< trainings run for it beyond the selection
};

/// Enough cells to place a 0.99 quantile: below this many validation cells, more are made.
constexpr std::int64_t kDoubtCalibrationCells = 1000;

/// The selected model's validation cells; when they are fewer than kDoubtCalibrationCells,
/// also up to 5 more runs with the selected settings (weight decay scaled, class weights,
/// epochs), each trained on a random 80 % of every labelled cell (its own gene filter and
/// scaling) and predicting the other 20 % with its calibrated probabilities: cross-fitting,
/// so that a small reference still calibrates on hundreds of cells it did not train on.
DoubtCalibration doubt_calibration(const std::shared_ptr<const AnnDataSource>& file,
                                   const FitOptions& options, const FittedClassifier& selected);

/// The model's outputs for a set's cells, read back as predicted classes and, for two classes,
/// the probability of the first (for ROC AUC).
struct Predictions {
  std::vector<std::int32_t> classes;
  std::vector<float> probability_of_first;
  std::vector<float> probabilities;  ///< cells x classes, row-major (before any temperature)
};
Predictions predict_set(ClassifierImpl& model, const LabelledData& data, std::size_t n_classes,
                        const ProcessGroup* group = nullptr);

}  // namespace scgrad
