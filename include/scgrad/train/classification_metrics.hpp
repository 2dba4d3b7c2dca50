#pragma once
/// @file classification_metrics.hpp
/// Held-out evaluation: confusion matrix, per-class precision and recall, ROC AUC. No torch.

#include <cstdint>
#include <string>
#include <vector>

namespace scgrad {

struct ClassMetrics {
  double precision = 0;  ///< of the cells predicted as this class, the share that are (0 if none)
  double recall = 0;     ///< of the cells of this class, the share predicted as it
  std::int64_t support = 0;  ///< cells of this class
};

struct ClassificationReport {
  /// confusion[true][predicted] cell counts, in class order.
  std::vector<std::vector<std::int64_t>> confusion;
  std::vector<ClassMetrics> per_class;
  double accuracy = 0;
  double auc = -1;  ///< area under the ROC curve for two classes (class 0 positive); -1 otherwise
};

/// @param probability_of_first for two classes: each cell's probability of class 0 (for AUC);
///        may be empty.
ClassificationReport classification_report(const std::vector<std::int32_t>& truth,
                                           const std::vector<std::int32_t>& predicted,
                                           std::size_t n_classes,
                                           const std::vector<float>& probability_of_first = {});

/// ROC AUC by the rank-sum (Mann–Whitney) formula, ties counted half.
double roc_auc(const std::vector<float>& scores, const std::vector<bool>& positive);

}  // namespace scgrad
