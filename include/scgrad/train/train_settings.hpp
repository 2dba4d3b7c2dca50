#pragma once
/// @file train_settings.hpp
/// The settings of `scgrad train` and of Python's `scgrad.train`, as a user gives them (unset:
/// the default), and the one rule that turns them into FitOptions — so the program and the
/// binding train the same model from the same settings. With minibatches the defaults are the
/// library's recommended ones; with batch size 0 the exercise's (Adam, weight decay 0, no
/// validation, class weights or retrain unless asked for). No torch.

#include <cstdint>
#include <optional>
#include <string>

#include "scgrad/train/fit_options.hpp"

namespace scgrad {

struct TrainSettings {
  std::string classes;     ///< comma-separated labels, or "all"
  PrepareOptions prepare;  ///< label key, matrix, gene filter, log-CPM, library sizes
  /// Unset: 1e4 with minibatches (scanpy's and CellTypist's), 1e6 with batch size 0.
  std::optional<double> target_sum;
  /// Scaled inputs above it are clipped to it (Preprocessing::max_value); 0: none. Unset: 10
  /// with minibatches (scanpy's and CellTypist's), none with batch size 0.
  std::optional<double> max_value;
  std::string model = "logistic";
  std::int64_t hidden = 50;
  TrainingOptions training = recommended_fit_options().training;
  double test_fraction = recommended_fit_options().prepare.test_fraction;
  std::uint64_t seed = 0;
  std::optional<double> weight_decay;  ///< unset: chosen on the validation cells
  std::optional<double> validation_fraction;
  std::optional<int> patience;
  std::optional<int> lr_reductions;
  std::optional<std::string> class_weight;  ///< "balanced", "sqrt" or "none"
  /// Refit the saved model on every labelled cell; unset: with minibatches. Only when the
  /// model is kept (`model_kept`): the program without --out has nothing to refit for.
  std::optional<bool> refit;
  bool model_kept = true;
  std::string compute = "auto";    ///< auto, dense, sparse
  std::string optimizer = "auto";  ///< auto, adam, lbfgs
  std::int64_t max_memory = std::int64_t{1} << 62;
};

/// Throws OptionError naming the setting when one is out of the range `scgrad train` accepts.
FitOptions fit_options(const TrainSettings& settings);

}  // namespace scgrad
