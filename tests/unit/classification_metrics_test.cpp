#include "scgrad/infer/classification_metrics.hpp"

#include <gtest/gtest.h>

namespace scgrad {
namespace {

TEST(ClassificationReport, ConfusionPrecisionRecall) {
  // truth:     0 0 0 1 1 2
  // predicted: 0 0 1 1 2 2
  const auto r = classification_report({0, 0, 0, 1, 1, 2}, {0, 0, 1, 1, 2, 2}, 3);
  EXPECT_EQ(r.confusion, (std::vector<std::vector<std::int64_t>>{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}}));
  EXPECT_DOUBLE_EQ(r.accuracy, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(r.per_class[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(r.per_class[0].recall, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.per_class[1].precision, 0.5);
  EXPECT_DOUBLE_EQ(r.per_class[2].precision, 0.5);
  EXPECT_DOUBLE_EQ(r.per_class[2].recall, 1.0);
  EXPECT_EQ(r.per_class[1].support, 2);
  EXPECT_EQ(r.auc, -1);  // only for two classes
}

TEST(ClassificationReport, MacroF1AndBalancedAccuracyByHand) {
  // The confusion matrix above: rows true, columns predicted
  //   {2, 1, 0}
  //   {0, 1, 1}
  //   {0, 0, 1}
  // precision 1, 1/2, 1/2; recall 2/3, 1/2, 1;
  // F1 = 2pr/(p+r): 0.8, 0.5, 2/3.
  const auto r = classification_report({0, 0, 0, 1, 1, 2}, {0, 0, 1, 1, 2, 2}, 3);
  EXPECT_DOUBLE_EQ(r.per_class[0].f1, 0.8);
  EXPECT_DOUBLE_EQ(r.per_class[1].f1, 0.5);
  EXPECT_DOUBLE_EQ(r.per_class[2].f1, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.macro_f1, (0.8 + 0.5 + 2.0 / 3.0) / 3);
  EXPECT_DOUBLE_EQ(r.balanced_accuracy, (2.0 / 3.0 + 0.5 + 1.0) / 3);
  EXPECT_TRUE(never_predicted_classes(r).empty());
}

TEST(ClassificationReport, DroppedRareClassShowsInMacroF1NotInAccuracy) {
  // 98 cells of class 0, 2 of class 1, all predicted 0: accuracy 0.98, but class 1 has F1 0.
  std::vector<std::int32_t> truth(100, 0);
  truth[10] = truth[50] = 1;
  const std::vector<std::int32_t> predicted(100, 0);
  // A class 2 that is neither true nor predicted does not count in the macro average.
  const auto r = classification_report(truth, predicted, 3);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.98);
  const double f1_major = 2 * 0.98 * 1.0 / (0.98 + 1.0);
  EXPECT_DOUBLE_EQ(r.macro_f1, (f1_major + 0) / 2);
  EXPECT_DOUBLE_EQ(r.balanced_accuracy, (1.0 + 0.0) / 2);
  EXPECT_EQ(never_predicted_classes(r), (std::vector<std::size_t>{1}));
  EXPECT_TRUE(never_predicted_classes(r, 5).empty());  // only 2 cells: below min_support
}

TEST(RocAuc, HandComputedWithTies) {
  // positives 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5) (0.9>0.1) (0.5=0.5: half) (0.5>0.1)
  EXPECT_DOUBLE_EQ(roc_auc({0.9F, 0.5F, 0.5F, 0.1F}, {true, true, false, false}), 3.5 / 4.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.1F, 0.2F, 0.8F}, {false, false, true}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0.1F, 0.2F, 0.8F}, {true, true, false}), 0.0);
  EXPECT_EQ(roc_auc({0.3F}, {true}), -1);
}

TEST(ClassificationReport, TwoClassesGiveAuc) {
  const auto r = classification_report({0, 1, 0, 1}, {0, 1, 1, 1}, 2, {0.9F, 0.2F, 0.4F, 0.3F});
  EXPECT_DOUBLE_EQ(r.auc, 1.0);  // class 0 is positive; its scores are the two highest
}

}  // namespace
}  // namespace scgrad
