#include "scgrad/train/fit_options.hpp"

#include <algorithm>

#include "scgrad/error.hpp"

namespace scgrad {

FitOptions recommended_fit_options() {
  FitOptions o;
  o.prepare.test_fraction = 0.2;
  o.prepare.validation_fraction = 0.1;
  // log1p of counts per 10,000 (scanpy's and CellTypist's convention) rather than per million:
  // a single count lands 0.7-2.4 log units above zero instead of 5-7, so genes dropping in and
  // out of detection do not dominate the scaled features (docs/training.md).
  o.prepare.log_cpm.target_sum = 1e4;
  // Scaled values clipped at 10, as scanpy's sc.pp.scale(max_value=10) and CellTypist: on the
  // real Smart-seq file of bench/real_data it is worth 2 points of accuracy (docs/training.md).
  o.prepare.max_value = 10;
  // ... but never below a perfect marker of the rarest type: on the real 76,533-cell motor
  // cortex panel the clip at 10 cost 1.3 points of macro-F1 (its 40-cell type's markers).
  o.prepare.clip_spares_rarest_type = true;
  o.training.epochs = 200;
  o.training.lr = 1e-3;
  o.training.batch_size = 128;
  o.training.patience = 5;
  // A convex fit runs to its optimum, as scikit-learn's: stopping it after a few steps without a
  // lower validation loss left the weak penalties at step 2 of 27 on a real cortex file, and
  // the search then chose a penalty for the stall, not for the data (docs/training.md).
  o.lbfgs_patience = 0;
  o.class_weight_power.reset();  // chosen on the validation cells (docs/training.md)
  return o;
}

std::vector<double> default_weight_decays(std::int64_t training_cells) {
  const auto n = static_cast<double>(std::max<std::int64_t>(training_cells, 1));
  std::vector<double> grid;
  // C = 1 first: it wins ties, and it is the one used when there is no validation set.
  for (const double c : {1.0, 0.1, 0.01}) grid.push_back(1.0 / (c * n));
  return grid;
}

std::vector<double> default_class_weight_powers() { return {0.5, 0.0, 1.0}; }

int patience_for(const FitOptions& options, Optimizer optimizer) {
  const auto patience = options.training.patience;
  return optimizer == Optimizer::lbfgs && options.lbfgs_patience.has_value() && patience > 0
             ? *options.lbfgs_patience
             : patience;
}

int selection_patience(const FitOptions& options, Optimizer optimizer,
                       std::int64_t stored_entries) {
  const auto patience = patience_for(options, optimizer);
  if (optimizer != Optimizer::lbfgs || patience > 0 ||
      stored_entries <= options.converge_up_to_entries) {
    return patience;
  }
  return std::max(options.lbfgs_early_stopping_patience, 0);
}

std::string class_weight_name(double power) {
  return power == 1.0 ? "balanced" : power == 0.5 ? "sqrt" : "none";
}

double class_weight_power(const std::string& name) {
  return name == "balanced" ? 1.0 : name == "sqrt" ? 0.5 : 0.0;
}

ComputeChoice compute_choice(const std::string& name) {
  if (name == "auto") return ComputeChoice::automatic;
  if (name == "dense") return ComputeChoice::dense;
  if (name == "sparse") return ComputeChoice::sparse;
  throw OptionError("train: compute must be one of auto, dense, sparse, not '" + name + "'",
                    {"compute"});
}

const char* to_string(ComputeChoice compute) {
  switch (compute) {
    case ComputeChoice::dense:
      return "dense";
    case ComputeChoice::sparse:
      return "sparse";
    case ComputeChoice::automatic:
      break;
  }
  return "auto";
}

}  // namespace scgrad
