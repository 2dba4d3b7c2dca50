#pragma once
/// @file trainer.hpp
/// The exercise's training loop, grown up: every epoch zero_grad → forward → loss → backward →
/// Adam step, over the whole training set (the exercise) or over shuffled minibatches, with
/// held-out loss and accuracy after each epoch.

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

struct TrainingOptions {
  int epochs = 10;
  double lr = 1e-4;             ///< Adam's learning rate; betas (0.9, 0.999), eps 1e-8 as PyTorch
  std::int64_t batch_size = 0;  ///< 0: full batch, one step per epoch (the exercise)
  std::uint64_t shuffle_seed = 0;  ///< minibatch order (scgrad's generator, not torch's)
  double weight_decay = 0;         ///< Adam's L2 penalty on all parameters
};

struct EpochMetrics {
  int epoch = 0;  ///< 1-based
  /// Full batch: of the forward pass this epoch's step was computed from (the exercise's
  /// printed loss). Minibatches: the mean over the epoch's batches, weighted by size.
  double train_loss = 0;
  double train_accuracy = 0;
  std::optional<double> test_loss;  ///< after the epoch's last step, in eval mode
  std::optional<double> test_accuracy;
  double seconds = 0;
};

struct LossAndAccuracy {
  double loss = 0;
  double accuracy = 0;
};

struct TrainingResults {
  std::vector<EpochMetrics> epochs;
  LossAndAccuracy final_train;  ///< after the last step, eval mode, no grad
  std::optional<LossAndAccuracy> final_test;
};

/// Loss and accuracy of one forward pass without gradients, in eval mode.
LossAndAccuracy evaluate(ClassifierImpl& model, const LabelledData& data, std::size_t n_classes);

/// Outputs of the model in eval mode without gradients, computed in chunks of cells.
torch::Tensor predict_outputs(ClassifierImpl& model, const ModelInput& input);

struct TrainingCallbacks {
  std::function<void(const EpochMetrics&)> on_epoch;
  /// (epoch, batches done, batches in the epoch)
  std::function<void(int, std::int64_t, std::int64_t)> on_batch;
};

/// Trains with Adam. Throws scgrad::Error naming the epoch when outputs or loss stop being
/// finite (divergence).
TrainingResults train_classifier(ClassifierImpl& model, std::size_t n_classes,
                                 const LabelledData& train, const std::optional<LabelledData>& test,
                                 const TrainingOptions& options = {},
                                 const TrainingCallbacks& callbacks = {});

}  // namespace scgrad
