#pragma once
/// @file classification_metrics.hpp
/// Held-out evaluation: confusion matrix, per-class precision, recall and F1, accuracy,
/// macro-F1, balanced accuracy, ROC AUC. No torch. Definitions follow scikit-learn's
/// (`precision_recall_fscore_support`, `f1_score(average="macro")`, `balanced_accuracy_score`).

#include <cstdint>
#include <string>
#include <vector>

namespace scgrad {

struct ClassMetrics {
  double precision = 0;  ///< of the cells predicted as this class, the share that are (0 if none)
  double recall = 0;     ///< of the cells of this class, the share predicted as it
  double f1 = 0;         ///< harmonic mean of precision and recall (0 when both are 0)
  std::int64_t support = 0;    ///< cells of this class
  std::int64_t predicted = 0;  ///< cells predicted as this class
};

struct ClassificationReport {
  /// confusion[true][predicted] cell counts, in class order.
  std::vector<std::vector<std::int64_t>> confusion;
  std::vector<ClassMetrics> per_class;
  double accuracy = 0;
  /// Unweighted mean of the per-class F1 over the classes present in the truth or the
  /// predictions (a class absent from both is left out, as scikit-learn's labels=None does).
  double macro_f1 = 0;
  /// Mean recall over the classes present in the truth: accuracy as if every class were equally
  /// common.
  double balanced_accuracy = 0;
  double auc = -1;  ///< area under the ROC curve for two classes (class 0 positive); -1 otherwise
  /// Expected calibration error of the (calibrated) top probabilities, 15 bins
  /// (infer/calibration.hpp); -1 when not measured.
  double ece = -1;
  double ece_uncalibrated = -1;  ///< the same before the temperature (infer/calibration.hpp)
};

/// @param probability_of_first for two classes: each cell's probability of class 0 (for AUC);
///        may be empty.
ClassificationReport classification_report(const std::vector<std::int32_t>& truth,
                                           const std::vector<std::int32_t>& predicted,
                                           std::size_t n_classes,
                                           const std::vector<float>& probability_of_first = {});

/// Classes with at least `min_support` cells in the truth that no cell was predicted as: the
/// classes a model has silently dropped.
std::vector<std::size_t> never_predicted_classes(const ClassificationReport& report,
                                                 std::int64_t min_support = 1);

/// ROC AUC by the rank-sum (Mann–Whitney) formula, ties counted half.
double roc_auc(const std::vector<float>& scores, const std::vector<bool>& positive);

}  // namespace scgrad
