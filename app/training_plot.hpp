#pragma once
// `--plot FILE.png|.svg`: loss and accuracy per epoch (train, validation, held-out test) and the
// kept epoch, drawn by gnuplot.

#include <optional>
#include <string>
#include <vector>

namespace scgrad::app {

struct TrainingCurves {
  std::vector<double> train_loss, train_accuracy;
  std::vector<double> validation_loss, validation_accuracy;  ///< empty without validation
  std::vector<double> test_loss, test_accuracy;              ///< empty without a test split
  int kept_epoch = 0;  ///< marked with a vertical line when > 0
  std::string title;
  std::string x_label = "epoch";
};

/// Writes the picture atomically; throws scgrad::Error if gnuplot is missing or fails.
void plot_training_curves(const TrainingCurves& curves, const std::string& path);

}  // namespace scgrad::app
