#pragma once
/// @file fit_options.hpp
/// Everything `fit` takes: which cells and how they are preprocessed, how they are fed (in
/// memory dense or sparse, or streamed), the model, and how it is trained and chosen. No torch.
/// A default-constructed FitOptions is the exercise (full batch, lr 1e-4, 10 epochs, log-CPM,
/// no split); recommended_fit_options() is what `scgrad train` uses with minibatches.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scgrad/preprocess/prepare_data.hpp"
#include "scgrad/train/training_options.hpp"

namespace scgrad {

/// How the first layer is fed the cells held in memory (streamed cells are always sparse).
enum class ComputeChoice {
  automatic,  ///< sparse below InputOptions::sparse_below nonzeros (docs/performance.md)
  dense,
  sparse,
};

/// "auto", "dense", "sparse" (--compute's values), and back; throws OptionError naming the
/// accepted values.
ComputeChoice compute_choice(const std::string& name);
const char* to_string(ComputeChoice compute);

struct InputOptions {
  ComputeChoice compute = ComputeChoice::automatic;
  double sparse_below = 0.25;
  /// Above this many bytes of matrix (8 per stored entry) cells are streamed from the file, in
  /// chunks of a quarter of it (at most 512 MB) or one minibatch, whichever is larger: a target,
  /// never a refusal.
  std::int64_t max_memory = std::int64_t{1} << 62;
};

struct FitOptions {
  /// Cells, preprocessing, test and validation fractions (its split_seed is set from `seed`).
  PrepareOptions prepare;
  InputOptions input;              ///< dense / sparse / streamed
  std::string model = "logistic";  ///< make_classifier's name or layer spec
  std::int64_t hidden = 50;
  /// The one seed of a fit: the test and validation split, the minibatch order and (through
  /// torch::manual_seed right before each model is built) the initial weights all come from it.
  std::uint64_t seed = 0;
  /// epochs (the most), lr, batch size (the one batch size: minibatches, and the smallest
  /// streamed chunk), patience, min_delta. Its weight_decay and class_weights are set per run
  /// from the two fields below, its shuffle_seed from `seed`.
  TrainingOptions training;
  /// Unset: L-BFGS for the logistic model with the cells in memory and training.batch_size > 0
  /// (a convex loss: solved to its optimum, as scikit-learn does), Adam otherwise (the mlp,
  /// streaming, and batch_size 0: the exercise's loop).
  std::optional<Optimizer> optimizer;
  /// Unset: chosen among default_weight_decays(training cells) on the validation set (without
  /// one, the first of them).
  std::optional<double> weight_decay;
  /// The early-stopping patience of L-BFGS steps when they are chosen by validation. 0: every
  /// L-BFGS run goes on to convergence (TrainingOptions::lbfgs_gradient_tolerance, at most
  /// training.epochs steps) and keeps its last weights: validation chooses the penalty and the
  /// class weights, not the step. Unset: training.patience, as for Adam's epochs.
  std::optional<int> lbfgs_patience;
  /// With lbfgs_patience 0 and validation cells: the patience of the one early-stopped L-BFGS
  /// candidate the converged ones are compared with (fit_classifier.hpp; 0: none), and of the
  /// selection on matrices above converge_up_to_entries.
  int lbfgs_early_stopping_patience = 3;
  /// Above this many stored entries of the training cells' matrix the L-BFGS selection
  /// early-stops (lbfgs_early_stopping_patience) instead of converging every candidate: an
  /// iteration costs ~0.05 s per million entries on 2 cores and a converged search takes
  /// hundreds, so 10 million keeps it near two minutes (docs/training.md).
  std::int64_t converge_up_to_entries = 10'000'000;
  /// After the selection, train the measured model again on all training cells (validation
  /// cells included) with the chosen weight decay and epoch count, as scikit-learn's
  /// GridSearchCV(refit=True): the held-out figures then describe a model that saw every
  /// training cell, as a scikit-learn baseline does. Only with held-out cells (without them,
  /// nothing would measure it). Unset: when an L-BFGS run to convergence was selected (one
  /// more convex fit from its optimum, seconds), not for an early-stopped winner nor with
  /// Adam (the mlp: it would double the training time); then the selection run's model, the
  /// one its temperature was fitted for, is measured.
  std::optional<bool> retrain_on_training_cells;
  /// Class weights from the cells each run trains on: balanced_class_weights(counts, power).
  /// 0: none; 1: scikit-learn's "balanced"; 0.5: square-root inverse frequency. Unset: chosen
  /// on the validation cells among default_class_weight_powers() (fit_classifier.hpp).
  std::optional<double> class_weight_power = 0.0;
  /// After the held-out evaluation, train the saved model again on every labelled cell (gene
  /// filter and scaling recomputed) with the chosen weight decay and epoch count
  /// (fit_classifier.hpp: refit_classifier).
  bool refit = false;
  /// Build what only the model file holds: the hidden layers' marker attribution (a backward
  /// pass over the training cells) and the novelty reference (two more reads of them). Off
  /// when nothing keeps the model (the program without --out): FitResult::model then has
  /// the weights and numbers but neither of them.
  bool model_file_parts = true;
};

/// The early-stopping patience of a run with `optimizer`: FitOptions::lbfgs_patience for
/// L-BFGS when set (and early stopping is on), else training.patience.
int patience_for(const FitOptions& options, Optimizer optimizer);

/// The patience the selection runs with on a training matrix of `stored_entries`:
/// patience_for, except that L-BFGS without one (its runs go to convergence) early-stops with
/// lbfgs_early_stopping_patience above converge_up_to_entries. 0 for L-BFGS: to convergence.
int selection_patience(const FitOptions& options, Optimizer optimizer, std::int64_t stored_entries);

/// The class weights validation chooses among when FitOptions::class_weight_power is unset:
/// square root first (it is used alone without a validation set, or when the classes are
/// within 1.5x of each other in size), then none, then balanced (not tried when none wins).
std::vector<double> default_class_weight_powers();

/// The names of FitOptions::class_weight_power (1: "balanced", 0.5: "sqrt", 0: "none"), and
/// back; --class-weight's values.
std::string class_weight_name(double power);
double class_weight_power(const std::string& name);

/// The defaults `scgrad train` uses with minibatches, chosen by principle (docs/training.md):
/// 20 % held out, 10 % of the training cells for validation, patience 5 (L-BFGS: to convergence),
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

}  // namespace scgrad
