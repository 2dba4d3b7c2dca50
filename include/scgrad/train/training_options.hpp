#pragma once
/// @file training_options.hpp
/// What a training run takes (optimizer, epochs, batches, penalties, early stopping) and what it
/// reports (per-epoch figures, the kept epoch). No torch: the program and the library's callers
/// read these without building against it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace scgrad {

class ProcessGroup;

/// Adam: the exercise's optimizer, full batch or minibatches. L-BFGS: full batch, for convex
/// models held in memory (the logistic model), with PyTorch's strong-Wolfe line search; it
/// reaches the optimum of the penalised loss as scikit-learn's lbfgs solver does.
enum class Optimizer { adam, lbfgs };

struct TrainingOptions {
  Optimizer optimizer = Optimizer::adam;
  /// Adam: passes over the training cells. L-BFGS: calls of its step, each of at most
  /// `lbfgs_iterations` iterations; training stops sooner once the penalised loss stops falling.
  int epochs = 10;
  int lbfgs_iterations = 5;  // a short step: the validation set picks among many (docs/training.md)
  /// L-BFGS: converged once the largest entry of the penalised mean loss's gradient is at most
  /// this, or a step lowers the float32 objective by less than 1e-6 of it (epoch_runners.cpp).
  /// scikit-learn's `tol` 1e-4 bounds the gradient of its *summed* objective, 1e-4 / n on the
  /// mean: past float32's reach above a few hundred cells. 1e-4 on the mean left probabilities
  /// 2e-3 from scikit-learn's optimum; 1e-6 reaches it (tests/python/test_lbfgs_optimum.py).
  double lbfgs_gradient_tolerance = 1e-6;
  double lr = 1e-4;             ///< Adam's learning rate; betas (0.9, 0.999), eps 1e-8 as PyTorch
  std::int64_t batch_size = 0;  ///< 0: full batch, one step per epoch (the exercise)
  /// Minibatch order (scgrad's generator, not torch's); fit sets it from FitOptions::seed.
  std::uint64_t shuffle_seed = 0;
  /// Adam's L2 penalty (PyTorch's coupled weight_decay), on the weight matrices only: biases
  /// are not penalised, as in scikit-learn's LogisticRegression.
  double weight_decay = 0;
  /// One per class (class order): each cell's loss is multiplied by its class's weight
  /// (classification_loss). Empty: every cell counts the same (the exercise).
  std::vector<double> class_weights;
  /// With a validation set: stop after this many epochs in a row whose validation loss is not
  /// below the best by at least `min_delta`. 0: train every epoch (the best is still restored).
  int patience = 0;
  double min_delta = 1e-4;  ///< scikit-learn's tol for MLP early stopping
  /// With a validation set: end with the weights of the epoch of lowest validation loss (and
  /// call it the best epoch). false: keep the last epoch's weights, the best epoch being the
  /// last (an L-BFGS run to convergence, whose penalty validation chooses, not its length).
  bool restore_best_epoch = true;
  /// With a validation set and patience: when patience runs out, instead of stopping, go back
  /// to the best epoch's weights and go on with the learning rate divided by 10, this many
  /// times (PyTorch's ReduceLROnPlateau with factor 0.1); then stop.
  int lr_reductions = 0;
  /// Data-parallel ranks (distributed/process_group.hpp): each computes its share of every
  /// batch and the gradients are summed before every (identical) step. Null: one process.
  const ProcessGroup* group = nullptr;
};

struct EpochMetrics {
  int epoch = 0;  ///< 1-based
  /// Full batch: of the forward pass this epoch's step was computed from (the exercise's
  /// printed loss). Minibatches: the mean over the epoch's batches, weighted by size.
  double train_loss = 0;
  double train_accuracy = 0;
  std::optional<double> validation_loss;  ///< after the epoch's last step, in eval mode
  std::optional<double> validation_accuracy;
  std::optional<double> test_loss;  ///< after the epoch's last step, in eval mode
  std::optional<double> test_accuracy;
  double seconds = 0;
};

/// One figure of a record: its name, value and whether it is a count (written as an integer).
struct NamedFigure {
  std::string name;
  double value = 0;
  bool integer = false;
};

/// An epoch's figures as named values, in the order they are reported: epoch, train_loss,
/// train_accuracy, validation_* and test_* (only when measured), seconds. What the program's
/// JSON and Python's dicts are written from.
std::vector<NamedFigure> epoch_record(const EpochMetrics& e);

struct LossAndAccuracy {
  double loss = 0;
  double accuracy = 0;
};

struct TrainingResults {
  std::vector<EpochMetrics> epochs;  ///< every epoch trained, including those after the best
  /// The epoch whose weights the model ends with (1-based): the lowest validation loss, or the
  /// last epoch without a validation set.
  int best_epoch = 0;
  bool stopped_early = false;  ///< patience ran out before options.epochs
  bool converged = false;      ///< L-BFGS: the penalised loss stopped falling
  int lr_reductions = 0;       ///< times the learning rate was divided by 10
  /// Of the model as returned (best epoch restored), eval mode, no grad.
  LossAndAccuracy final_train;
  std::optional<LossAndAccuracy> final_validation;
  std::optional<LossAndAccuracy> final_test;
};

struct TrainingCallbacks {
  std::function<void(const EpochMetrics&)> on_epoch;
  /// (epoch, batches done, batches in the epoch)
  std::function<void(int, std::int64_t, std::int64_t)> on_batch;
};

}  // namespace scgrad
