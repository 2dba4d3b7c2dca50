#pragma once
// Early stopping on the validation loss (private to src/train): the best epoch's weights kept,
// the learning rate cut after `patience` epochs without improvement, then a stop.

#include <torch/torch.h>

#include <limits>
#include <vector>

#include "scgrad/model/classifier.hpp"

namespace scgrad {

class EarlyStopping {
 public:
  enum class Verdict { go_on, cut_learning_rate, stop };

  /// `patience` 0: never stops (the best epoch is still kept). An improvement is a fall of more
  /// than `min_delta`; up to `learning_rate_cuts` cuts come before the stop.
  EarlyStopping(int patience, double min_delta, int learning_rate_cuts)
      : patience_(patience), min_delta_(min_delta), learning_rate_cuts_(learning_rate_cuts) {}

  /// After epoch `epoch` with validation loss `loss`: keeps the weights when they are the best
  /// so far. On cut_learning_rate the model is already back at the best weights (the caller
  /// makes the steps smaller).
  Verdict observe(ClassifierImpl& model, double loss, int epoch);

  /// Puts the best epoch's weights back (nothing when no epoch was observed).
  void restore_best(ClassifierImpl& model) const;

  int best_epoch() const { return best_epoch_; }
  int cuts() const { return cuts_; }

 private:
  int patience_;
  double min_delta_;
  int learning_rate_cuts_;
  double best_loss_ = std::numeric_limits<double>::infinity();
  std::vector<torch::Tensor> best_weights_;
  int best_epoch_ = 0;
  int epochs_without_improvement_ = 0;
  int cuts_ = 0;
};

}  // namespace scgrad
