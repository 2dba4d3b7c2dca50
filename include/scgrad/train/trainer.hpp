#pragma once
/// @file trainer.hpp
/// The exercise's training loop, grown up: every epoch zero_grad → forward → loss → backward →
/// Adam step, over the whole training set (the exercise) or over shuffled minibatches; or, for
/// a convex model in memory, full-batch L-BFGS steps (an "epoch" is then one step of a few
/// iterations). With a validation set (carved from the training cells) the epoch with the
/// lowest validation loss is kept: its weights are restored at the end, and training stops
/// early after `patience` epochs without improvement. Held-out (test) loss and accuracy after each
/// epoch are only reported: no choice looks at them.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "scgrad/model/exercise_models.hpp"
#include "scgrad/train/model_input.hpp"

namespace scgrad {

/// Cells (dense or sparse, see model_input.hpp) with their targets (see classification.hpp).
struct LabelledData {
  std::shared_ptr<const ModelInput> input;
  torch::Tensor targets;
};

/// The cells a training run sees: `train` takes the Adam steps, `validation` (optional) chooses
/// the epoch to keep, `test` (optional, held out) is only measured.
struct TrainingSets {
  LabelledData train;
  std::optional<LabelledData> validation;
  std::optional<LabelledData> test;
};

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
  double lr = 1e-4;          ///< Adam's learning rate; betas (0.9, 0.999), eps 1e-8 as PyTorch
  std::int64_t batch_size = 0;     ///< 0: full batch, one step per epoch (the exercise)
  std::uint64_t shuffle_seed = 0;  ///< minibatch order (scgrad's generator, not torch's)
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
  /// With a validation set and patience: when patience runs out, instead of stopping, go back
  /// to the best epoch's weights and go on with the learning rate divided by 10, this many
  /// times (PyTorch's ReduceLROnPlateau with factor 0.1); then stop.
  int lr_reductions = 0;
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

/// Loss and accuracy of one forward pass without gradients, in eval mode. The loss is the
/// training objective's: weighted by `class_weights` when given.
LossAndAccuracy evaluate(ClassifierImpl& model, const LabelledData& data, std::size_t n_classes,
                         const std::vector<double>& class_weights = {});

/// Outputs of the model in eval mode without gradients, computed in chunks of cells.
torch::Tensor predict_outputs(ClassifierImpl& model, const ModelInput& input);

struct TrainingCallbacks {
  std::function<void(const EpochMetrics&)> on_epoch;
  /// (epoch, batches done, batches in the epoch)
  std::function<void(int, std::int64_t, std::int64_t)> on_batch;
};

/// Trains with options.optimizer. Throws scgrad::Error naming the epoch when outputs or loss stop
/// being finite (divergence).
TrainingResults train_classifier(ClassifierImpl& model, std::size_t n_classes,
                                 const TrainingSets& sets, const TrainingOptions& options = {},
                                 const TrainingCallbacks& callbacks = {});

/// The same without a validation set.
inline TrainingResults train_classifier(ClassifierImpl& model, std::size_t n_classes,
                                        const LabelledData& train,
                                        const std::optional<LabelledData>& test,
                                        const TrainingOptions& options = {},
                                        const TrainingCallbacks& callbacks = {}) {
  return train_classifier(model, n_classes, TrainingSets{train, std::nullopt, test}, options,
                          callbacks);
}

}  // namespace scgrad
