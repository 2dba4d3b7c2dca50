#pragma once
// The pictures of `train --plot` and `predict --plot`, drawn by gnuplot: loss and accuracy per
// epoch with the kept epoch, the held-out confusion matrix, the predicted label counts.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scgrad/util/output_set.hpp"

namespace scgrad::app {

struct TrainingCurves {
  std::vector<double> train_loss, train_accuracy;
  std::vector<double> validation_loss, validation_accuracy;  ///< empty without validation
  std::vector<double> test_loss, test_accuracy;              ///< empty without a test split
  int kept_epoch = 0;  ///< marked with a vertical line when > 0
  std::string title;
  std::string x_label = "epoch";
};

/// Draws into a staged output; throws scgrad::Error if gnuplot is missing or fails.
void plot_training_curves(const TrainingCurves& curves, const StagedOutput& out);

/// Where `train --plot PATH` puts the confusion matrix: curves.png → curves.confusion.png.
std::string confusion_plot_path(const std::string& plot_path);

/// The confusion matrix as a heatmap, each true class's row normalised to shares of its cells,
/// class names on both axes (shares written in the cells up to 15 classes).
void plot_confusion(const std::vector<std::string>& classes,
                    const std::vector<std::vector<std::int64_t>>& confusion,
                    const std::string& title, const StagedOutput& out);

/// Cells per predicted label (Unassigned included), as horizontal bars.
void plot_label_counts(const std::vector<std::string>& labels,
                       const std::vector<std::int64_t>& counts, const std::string& title,
                       const StagedOutput& out);

}  // namespace scgrad::app
