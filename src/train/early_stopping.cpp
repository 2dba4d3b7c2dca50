#include "early_stopping.hpp"

namespace scgrad {

EarlyStopping::Verdict EarlyStopping::observe(ClassifierImpl& model, double loss, int epoch) {
  if (loss < best_loss_ - min_delta_ || best_weights_.empty()) {
    epochs_without_improvement_ = 0;
  } else {
    ++epochs_without_improvement_;
  }
  if (loss < best_loss_) {  // the best is kept even below min_delta
    best_loss_ = loss;
    best_weights_.clear();
    for (const auto& p : model.parameters()) best_weights_.push_back(p.detach().clone());
    best_epoch_ = epoch;
  }
  if (patience_ <= 0 || epochs_without_improvement_ < patience_) return Verdict::go_on;
  if (cuts_ >= learning_rate_cuts_) return Verdict::stop;
  restore_best(model);  // back to the best weights, smaller steps from there
  ++cuts_;
  epochs_without_improvement_ = 0;
  return Verdict::cut_learning_rate;
}

void EarlyStopping::restore_best(ClassifierImpl& model) const {
  if (best_weights_.empty()) return;
  torch::NoGradGuard no_grad;
  auto parameters = model.parameters();
  for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(best_weights_[i]);
}

}  // namespace scgrad
