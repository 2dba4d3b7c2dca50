#pragma once
// One epoch of training per optimiser (private to src/train): Adam over all cells at once (the
// exercise's step) or over shuffled minibatches, and full-batch L-BFGS (an epoch is one step of
// a few iterations). Data-parallel ranks each take their share (gradient_sync.hpp).

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "scgrad/model/classifier.hpp"
#include "scgrad/train/trainer.hpp"
#include "scgrad/train/training_options.hpp"

namespace scgrad {

/// The class weights as the loss takes them (undefined when none).
torch::Tensor class_weights_tensor(const std::vector<double>& class_weights);

/// Throws scgrad::Error naming the epoch when a parameter is not finite: a step can overflow
/// the weights even when the epoch's loss was finite.
void check_finite_parameters(ClassifierImpl& model, int epoch);

/// An epoch's figures on the training cells.
struct EpochFigures {
  double loss = 0;
  double accuracy = 0;
  bool converged = false;  ///< L-BFGS: the penalised loss stopped falling
};

class EpochRunner {
 public:
  virtual ~EpochRunner() = default;
  /// Trains one epoch (reporting batches through the callbacks' on_batch).
  virtual EpochFigures run(int epoch) = 0;
  /// The learning-rate cuts early stopping may make (0: the optimiser has no step size to cut).
  virtual int learning_rate_cuts(const TrainingOptions& options) const = 0;
  /// Multiplies the learning rate by `factor`.
  virtual void cut_learning_rate(double factor) = 0;
};

/// The runner for options.optimizer, holding its optimiser (and the minibatch shuffler).
std::unique_ptr<EpochRunner> make_epoch_runner(ClassifierImpl& model, std::size_t n_classes,
                                               const LabelledData& train,
                                               const TrainingOptions& options,
                                               const TrainingCallbacks& callbacks);

}  // namespace scgrad
