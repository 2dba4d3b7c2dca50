#include "scgrad/train/train_settings.hpp"

#include "scgrad/preprocess/select_cells.hpp"

namespace scgrad {

FitOptions fit_options(const TrainSettings& settings) {
  const bool minibatches = settings.training.batch_size > 0;
  FitOptions base = recommended_fit_options();
  if (!minibatches) {
    base = FitOptions{};
    base.weight_decay = 0;  // PyTorch's Adam default
    base.retrain_on_training_cells = false;
  }
  FitOptions fit = base;
  fit.prepare = settings.prepare;
  fit.prepare.log_cpm.target_sum = settings.target_sum.value_or(base.prepare.log_cpm.target_sum);
  fit.prepare.classes = split_class_list(settings.classes);
  fit.prepare.test_fraction = settings.test_fraction;
  fit.prepare.validation_fraction =
      settings.validation_fraction.value_or(base.prepare.validation_fraction);
  fit.prepare.split_seed = settings.seed;
  fit.input.compute = settings.compute;
  fit.input.max_memory = settings.max_memory;
  fit.input.batch_size = settings.training.batch_size;
  fit.model = settings.model;
  fit.hidden = settings.hidden;
  fit.seed = settings.seed;
  fit.training = settings.training;
  fit.training.shuffle_seed = settings.seed;
  fit.training.patience =
      settings.patience.value_or(fit.prepare.validation_fraction > 0 ? base.training.patience : 0);
  fit.training.lr_reductions = settings.lr_reductions.value_or(0);
  if (settings.weight_decay) fit.weight_decay = settings.weight_decay;
  if (settings.class_weight) fit.class_weight_power = class_weight_power(*settings.class_weight);
  if (settings.optimizer != "auto") {
    fit.optimizer = settings.optimizer == "lbfgs" ? Optimizer::lbfgs : Optimizer::adam;
  }
  fit.refit = settings.model_kept && settings.refit.value_or(minibatches);
  return fit;
}

}  // namespace scgrad
