#pragma once
/// @file fit_classifier.hpp
/// Fitting a classifier the way a user needs it on data nobody tuned on:
///  1. model selection on the training cells only: for each candidate weight decay a model is
///     trained on the training cells minus a stratified validation set, keeping the epoch with
///     the lowest validation loss (early stopping); the candidate with the lowest validation
///     loss wins. Candidates go from the weakest penalty after the first to the strongest, and
///     the search stops at the first one that validates worse than the best so far. The
///     held-out (test) cells are measured, never used to choose.
///  2. refit: the chosen settings (weight decay, epoch count) trained again on every labelled
///     cell, the gene filter and the scaling recomputed on all of them, for the saved model.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scgrad/model/exercise_models.hpp"
#include "scgrad/train/trainer.hpp"
#include "scgrad/train/training_inputs.hpp"

namespace scgrad {

class H5adFile;

struct FitOptions {
  PrepareOptions prepare;  ///< cells, preprocessing, test and validation fractions, split seed
  InputOptions input;      ///< dense / sparse / streamed
  std::string model = "logistic";  ///< make_classifier's name or layer spec
  std::int64_t hidden = 50;
  std::uint64_t seed = 0;  ///< torch::manual_seed right before each model is built
  /// epochs (the most), lr, batch size, patience, min_delta, shuffle seed. Its weight_decay
  /// and class_weights are set per run from the two fields below.
  TrainingOptions training;
  /// Unset: L-BFGS for the logistic model with the cells in memory and training.batch_size > 0
  /// (a convex loss: solved to its optimum, as scikit-learn does), Adam otherwise (the mlp,
  /// streaming, and batch_size 0: the exercise's loop).
  std::optional<Optimizer> optimizer;
  /// Unset: chosen among default_weight_decays(training cells) on the validation set (without
  /// one, the first of them).
  std::optional<double> weight_decay;
  /// After the selection, train the measured model again on all training cells (validation
  /// cells included) with the chosen weight decay and epoch count, as scikit-learn's
  /// GridSearchCV(refit=True): the held-out figures then describe a model that saw every
  /// training cell, as a scikit-learn baseline does. Only with held-out cells (without them,
  /// nothing would measure it). Unset: with L-BFGS (one more convex fit, seconds), not with
  /// Adam (the mlp: it would double the training time); then the selection run's model is
  /// measured.
  std::optional<bool> retrain_on_training_cells;
  /// Class weights from the cells each run trains on: balanced_class_weights(counts, power).
  /// 0: none; 1: scikit-learn's "balanced"; 0.5: square-root inverse frequency.
  double class_weight_power = 0;
};

/// The defaults `scgrad train` uses with minibatches, chosen by principle (docs/training.md):
/// 20 % held out, 10 % of the training cells for validation, patience 5, square-root
/// inverse-frequency class weights, the weight decay chosen among default_weight_decays, log1p of
/// counts per 10,000, batches of 128, Adam lr 1e-3, at most 200 epochs. (A default-constructed
/// FitOptions is the exercise: full batch, lr 1e-4, 10 epochs, log-CPM, no split.)
FitOptions recommended_fit_options();

/// The default candidates: 1 / (C · n) for C in {1, 0.1, 0.01} (in that order), n the cells a
/// run trains on.
/// Adam's coupled weight decay λ adds λ·w to the gradient of the mean loss, which is the
/// gradient of scikit-learn's LogisticRegression objective C·Σ loss + ½‖w‖² divided by C·n:
/// the grid is scikit-learn's default C = 1 and two steps of ten towards a stronger penalty
/// (small references with many genes need it), at any data size.
std::vector<double> default_weight_decays(std::int64_t training_cells);

struct CandidateResult {
  double weight_decay = 0;
  int best_epoch = 0;
  int epochs_trained = 0;
  double validation_loss = 0;  ///< at the best epoch
};

struct FittedClassifier {
  /// The selection run's model (its kept epoch's weights), or the retrained one.
  std::shared_ptr<ClassifierImpl> model;
  TrainingInputs inputs;    ///< what it was trained and measured on
  TrainingResults results;  ///< of the chosen selection run (epochs, best epoch, validation)
  /// Of the retrain on all training cells (FitOptions::retrain_on_training_cells), if any.
  std::optional<TrainingResults> retrained;
  /// The run `model` comes from: its final_train and final_test describe the model measured.
  const TrainingResults& measured() const { return retrained ? *retrained : results; }
  double weight_decay = 0;                  ///< the chosen (or given) one
  Optimizer optimizer = Optimizer::adam;    ///< as resolved from FitOptions::optimizer
  std::vector<double> class_weights;        ///< as used (empty: none)
  std::vector<CandidateResult> candidates;  ///< every weight decay tried, in order
  std::size_t n_classes() const { return inputs.data.cells.classes.size(); }
};

struct FitCallbacks {
  std::function<void(int, std::int64_t, std::int64_t)> on_pass;  ///< streaming passes
  /// After preprocessing, before any training: what was read, split and how it is fed.
  std::function<void(const TrainingInputs&)> on_prepared;
  /// (weight decay, index, number of candidates) before each candidate's run
  std::function<void(double, std::size_t, std::size_t)> on_candidate;
  std::function<void(const CandidateResult&)> on_candidate_done;
  /// (weight decay, epochs) before the retrain on all training cells
  std::function<void(double, int)> on_retrain;
  TrainingCallbacks training;
};

/// FitOptions::optimizer, or its default for these inputs.
Optimizer resolve_optimizer(const FitOptions& options, const TrainingInputs& inputs);

/// Step 1: preprocess `file`, split it, select the weight decay and the epoch.
FittedClassifier fit_classifier(const std::shared_ptr<const H5adFile>& file,
                                const FitOptions& options, const FitCallbacks& callbacks = {});

/// Training the selected settings again on `cells` cells: the weight decay is multiplied by
/// (cells the selection run trained on / cells), so that λ = 1/(C·n) keeps scikit-learn's C,
/// the balance of penalty and summed loss.
double selected_cells_ratio(const FittedClassifier& selected, std::int64_t cells);

/// ... and trains for this many epochs. Adam: as many optimizer steps as the selection run took
/// to its best epoch (Goodfellow et al., Deep Learning, algorithm 7.2), so best_epoch x the
/// ratio above, rounded, at least 1. L-BFGS (full-batch steps): best_epoch.
int epochs_for(const FittedClassifier& selected, std::int64_t cells);

/// epochs_for(selected, every selected cell).
int refit_epochs(const FittedClassifier& selected);

/// Step 2: train again on every selected cell (no test or validation set; gene filter and
/// scaling recomputed) for refit_epochs(selected) epochs with its weight decay scaled by
/// selected_cells_ratio.
FittedClassifier refit_classifier(const std::shared_ptr<const H5adFile>& file,
                                  const FitOptions& options, const FittedClassifier& selected,
                                  const FitCallbacks& callbacks = {});

/// The model's outputs for a set's cells, read back as predicted classes and, for two classes,
/// the probability of the first (for ROC AUC).
struct Predictions {
  std::vector<std::int32_t> classes;
  std::vector<float> probability_of_first;
};
Predictions predict_set(ClassifierImpl& model, const LabelledData& data, std::size_t n_classes);

}  // namespace scgrad
