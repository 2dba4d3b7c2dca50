#include "scgrad/train/classification_metrics.hpp"

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
