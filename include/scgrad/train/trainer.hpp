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
#include <optional>
#include <vector>

#include "scgrad/infer/model_input.hpp"
#include "scgrad/infer/outputs.hpp"
#include "scgrad/model/classifier.hpp"
#include "scgrad/train/training_options.hpp"

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

/// Loss and accuracy of one forward pass without gradients, in eval mode. The loss is the
/// training objective's: weighted by `class_weights` when given. With data-parallel ranks
/// (`group`), each computes the outputs of its share of the cells (predict_outputs), and every
/// rank computes the same figures from all of them.
LossAndAccuracy evaluate(ClassifierImpl& model, const LabelledData& data, std::size_t n_classes,
                         const std::vector<double>& class_weights = {},
                         const ProcessGroup* group = nullptr);

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
