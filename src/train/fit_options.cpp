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
  o.training.epochs = 200;
  o.training.lr = 1e-3;
  o.training.batch_size = 128;
  o.training.patience = 5;
  // L-BFGS steps are 5 iterations each: 3 of them without improvement end a convex run (the
  // two after them never found a lower loss on the benchmark files, docs/training.md).
  o.lbfgs_patience = 3;
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
  return optimizer == Optimizer::lbfgs && options.lbfgs_patience && patience > 0
             ? *options.lbfgs_patience
             : patience;
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
