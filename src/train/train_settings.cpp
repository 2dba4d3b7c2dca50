#include "scgrad/train/train_settings.hpp"

#include <cmath>
#include <initializer_list>
#include <string>

#include "scgrad/error.hpp"
#include "scgrad/preprocess/select_cells.hpp"

namespace scgrad {

namespace {

/// The ranges `scgrad train`'s option parser enforces, for callers without it (the Python
/// binding): OptionError naming the setting.
void check_ranges(const TrainSettings& s) {
  const auto refuse = [](const std::string& what) { throw OptionError("train: " + what); };
  const auto one_of = [&](const std::string& name, const std::string& value,
                          std::initializer_list<const char*> allowed) {
    std::string list;
    for (const auto* a : allowed) {
      if (value == a) return;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    refuse(name + " must be one of " + list + ", not '" + value + "'");
  };
  if (split_class_list(s.classes).empty()) refuse("classes: name the labels to keep, or 'all'");
  if (s.training.epochs < 1) refuse("epochs must be at least 1");
  if (!(s.training.lr > 0 && s.training.lr <= 1e30)) refuse("lr must be in (0, 1e30]");
  if (s.training.batch_size < 0) refuse("batch_size must be >= 0 (0: full batch)");
  if (s.hidden < 1) refuse("hidden must be at least 1");
  if (!(s.test_fraction >= 0 && s.test_fraction <= 0.99)) {
    refuse("test_fraction must be in [0, 0.99]");
  }
  if (s.validation_fraction && !(*s.validation_fraction >= 0 && *s.validation_fraction <= 0.9)) {
    refuse("validation_fraction must be in [0, 0.9]");
  }
  if (s.weight_decay && !(*s.weight_decay >= 0)) refuse("weight_decay must be >= 0");
  if (s.patience && *s.patience < 0) refuse("patience must be >= 0");
  if (s.lr_reductions && *s.lr_reductions < 0) refuse("lr_reductions must be >= 0");
  if (s.target_sum && !(std::isfinite(*s.target_sum) && *s.target_sum > 0)) {
    refuse("target_sum must be a finite number > 0");
  }
  if (s.max_value && !(std::isfinite(*s.max_value) && *s.max_value >= 0)) {
    refuse("max_value must be a finite number >= 0 (0: no clip)");
  }
  const auto& filter = s.prepare.gene_filter;
  if (!(std::isfinite(filter.min_counts) && filter.min_counts >= 0)) {
    refuse("gene_filter.min_counts must be a finite number >= 0");
  }
  if (filter.min_cells < 0) refuse("gene_filter.min_cells must be >= 0");
  const auto base = s.prepare.log_cpm.log_base;
  if (!(std::isfinite(base) && base >= 0 && base != 1)) {
    refuse("log_base must be 0 (natural log) or a finite number > 0 other than 1");
  }
  if (s.max_memory <= 0) refuse("max_memory must be positive");
  if (s.class_weight) one_of("class_weight", *s.class_weight, {"auto", "balanced", "sqrt", "none"});
  one_of("optimizer", s.optimizer, {"auto", "adam", "lbfgs"});
}

}  // namespace

FitOptions fit_options(const TrainSettings& settings) {
  check_ranges(settings);
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
  fit.prepare.max_value = settings.max_value.value_or(base.prepare.max_value);
  // a clip the user gives is the clip used, as scanpy's max_value
  fit.prepare.clip_spares_rarest_type = !settings.max_value && base.prepare.clip_spares_rarest_type;
  fit.prepare.classes = split_class_list(settings.classes);
  fit.prepare.test_fraction = settings.test_fraction;
  fit.prepare.validation_fraction =
      settings.validation_fraction.value_or(base.prepare.validation_fraction);
  fit.input.compute = compute_choice(settings.compute);
  fit.input.max_memory = settings.max_memory;
  fit.model = settings.model;
  fit.hidden = settings.hidden;
  fit.seed = settings.seed;
  fit.training = settings.training;
  fit.training.patience =
      settings.patience.value_or(fit.prepare.validation_fraction > 0 ? base.training.patience : 0);
  if (settings.patience) fit.lbfgs_patience.reset();  // the user's patience, for every optimizer
  fit.training.lr_reductions = settings.lr_reductions.value_or(0);
  if (settings.weight_decay) fit.weight_decay = settings.weight_decay;
  if (settings.class_weight == "auto") {
    fit.class_weight_power.reset();
  } else if (settings.class_weight) {
    fit.class_weight_power = class_weight_power(*settings.class_weight);
  }
  if (settings.optimizer != "auto") {
    fit.optimizer = settings.optimizer == "lbfgs" ? Optimizer::lbfgs : Optimizer::adam;
  }
  fit.refit = settings.model_kept && settings.refit.value_or(minibatches);
  fit.model_file_parts = settings.model_kept;
  return fit;
}

}  // namespace scgrad
