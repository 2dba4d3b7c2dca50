#include "scgrad/infer/classification_metrics.hpp"

#include <algorithm>
#include <numeric>

#include "scgrad/error.hpp"

namespace scgrad {

double roc_auc(const std::vector<float>& scores, const std::vector<bool>& positive) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] < scores[b]; });
  double rank_sum = 0;
  std::int64_t n_positive = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && scores[order[j + 1]] == scores[order[i]]) ++j;
    const double average_rank = (static_cast<double>(i + j) / 2.0) + 1.0;  // ties share a rank
    for (auto k = i; k <= j; ++k) {
      if (positive[order[k]]) {
        rank_sum += average_rank;
        ++n_positive;
      }
    }
    i = j + 1;
  }
  const auto n_negative = static_cast<std::int64_t>(scores.size()) - n_positive;
  if (n_positive == 0 || n_negative == 0) return -1;
  const auto p = static_cast<double>(n_positive);
  return (rank_sum - p * (p + 1) / 2) / (p * static_cast<double>(n_negative));
}

ClassificationReport classification_report(const std::vector<std::int32_t>& truth,
                                           const std::vector<std::int32_t>& predicted,
                                           std::size_t n_classes,
                                           const std::vector<float>& probability_of_first) {
  if (truth.size() != predicted.size()) throw OptionError("classification_report: sizes differ");
  ClassificationReport report;
  report.confusion.assign(n_classes, std::vector<std::int64_t>(n_classes, 0));
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    ++report.confusion[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(predicted[i])];
    correct += truth[i] == predicted[i];
  }
  report.accuracy =
      truth.empty() ? 0 : static_cast<double>(correct) / static_cast<double>(truth.size());
  for (std::size_t c = 0; c < n_classes; ++c) {
    std::int64_t predicted_as_c = 0;
    for (std::size_t t = 0; t < n_classes; ++t) predicted_as_c += report.confusion[t][c];
    ClassMetrics m;
    for (const auto n : report.confusion[c]) m.support += n;
    const auto hits = static_cast<double>(report.confusion[c][c]);
    m.precision = predicted_as_c > 0 ? hits / static_cast<double>(predicted_as_c) : 0;
    m.recall = m.support > 0 ? hits / static_cast<double>(m.support) : 0;
    m.f1 = hits > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
    m.predicted = predicted_as_c;
    report.per_class.push_back(m);
  }
  double f1_sum = 0;
  double recall_sum = 0;
  std::size_t present = 0;
  std::size_t in_truth = 0;
  for (const auto& m : report.per_class) {
    if (m.support > 0 || m.predicted > 0) {
      f1_sum += m.f1;
      ++present;
    }
    if (m.support > 0) {
      recall_sum += m.recall;
      ++in_truth;
    }
  }
  report.macro_f1 = present > 0 ? f1_sum / static_cast<double>(present) : 0;
  report.balanced_accuracy = in_truth > 0 ? recall_sum / static_cast<double>(in_truth) : 0;
  if (n_classes == 2 && probability_of_first.size() == truth.size()) {
    std::vector<bool> positive;
    for (const auto t : truth) positive.push_back(t == 0);
    report.auc = roc_auc(probability_of_first, positive);
  }
  return report;
}

std::vector<std::size_t> never_predicted_classes(const ClassificationReport& report,
                                                 std::int64_t min_support) {
  std::vector<std::size_t> dropped;
  for (std::size_t c = 0; c < report.per_class.size(); ++c) {
    const auto& m = report.per_class[c];
    if (m.support >= std::max<std::int64_t>(min_support, 1) && m.predicted == 0)
      dropped.push_back(c);
  }
  return dropped;
}

}  // namespace scgrad
