#include "scgrad/predict/majority_vote.hpp"

#include <gtest/gtest.h>

#include "scgrad/error.hpp"

namespace scgrad {
namespace {

TEST(MajorityVote, EachGroupTakesItsMostFrequentLabel) {
  const Categorical labels{{"A", "B", "C"}, {0, 0, 1, 1, 1, 2, 2, 0}};
  const std::vector<std::int32_t> groups = {0, 0, 0, 1, 1, 1, 2, 2};
  const auto vote = majority_vote(groups, labels, {0.5, "Heterogeneous"});
  // group 0: A A B → A; group 1: B B C → B; group 2: C A, a tie → the earlier category, A
  EXPECT_EQ(vote.labels.codes, (std::vector<std::int32_t>{0, 0, 0, 1, 1, 1, 0, 0}));
  EXPECT_EQ(vote.labels.categories, labels.categories);  // no group is heterogeneous
  EXPECT_EQ(vote.groups, 3);
  EXPECT_EQ(vote.heterogeneous_groups, 0);
}

TEST(MajorityVote, AGroupWithoutAClearMajorityIsHeterogeneous) {
  const Categorical labels{{"A", "B", "C"}, {0, 1, 2, 0, 0, 0}};
  const std::vector<std::int32_t> groups = {0, 0, 0, 1, 1, 1};
  const auto vote = majority_vote(groups, labels, {0.5, "Mixed"});
  EXPECT_EQ(vote.labels.categories, (std::vector<std::string>{"A", "B", "C", "Mixed"}));
  EXPECT_EQ(vote.labels.codes, (std::vector<std::int32_t>{3, 3, 3, 0, 0, 0}));
  EXPECT_EQ(vote.heterogeneous_groups, 1);
  // With no minimum, the top label (a three-way tie: the first) wins.
  EXPECT_EQ(majority_vote(groups, labels, {0.0, "Mixed"}).labels.codes[0], 0);
}

TEST(MajorityVote, CellsWithoutAGroupKeepTheirOwnLabel) {
  const Categorical labels{{"A", "B"}, {1, 0, 0, -1}};
  const auto vote = majority_vote({-1, 4, 4, 4}, labels);
  // A missing label counts in its group's size but never wins.
  EXPECT_EQ(vote.labels.codes, (std::vector<std::int32_t>{1, 0, 0, 0}));
  EXPECT_EQ(vote.groups, 1);
}

TEST(MajorityVote, ACellSurerThanItsGroupsMajorityKeepsItsLabel) {
  // One group of five: A A A B B (majority share 0.6).
  const Categorical labels{{"A", "B"}, {0, 0, 0, 1, 1}};
  const std::vector<std::int32_t> groups(5, 0);
  const auto vote = majority_vote(groups, labels, {}, {0.9F, 0.9F, 0.9F, 0.95F, 0.55F});
  // The B at 0.95 is surer than the group is of A (0.6): kept; the B at 0.55 follows.
  EXPECT_EQ(vote.labels.codes, (std::vector<std::int32_t>{0, 0, 0, 1, 0}));
  EXPECT_EQ(vote.kept_cells, 1);
  // At exactly the share the cell keeps its label; without confidences every cell follows.
  EXPECT_EQ(majority_vote(groups, labels, {}, {1, 1, 1, 0.6F, 0.6F}).labels.codes[4], 1);
  EXPECT_EQ(majority_vote(groups, labels).labels.codes[3], 0);
  // In a heterogeneous group (A B C, top share 1/3) a cell keeps its label only if sure of it.
  const Categorical mixed{{"A", "B", "C"}, {0, 1, 2}};
  const auto split = majority_vote({0, 0, 0}, mixed, {0.5, "Mixed"}, {0.9F, 0.3F, 0.34F});
  EXPECT_EQ(split.labels.codes, (std::vector<std::int32_t>{0, 3, 2}));
}

TEST(MajorityVote, RefusesMismatchedSizesAndClashingLabels) {
  const Categorical labels{{"A", "Heterogeneous"}, {0, 1}};
  EXPECT_THROW(majority_vote({0}, labels), OptionError);
  EXPECT_THROW(majority_vote({0, 0}, Categorical{{"A"}, {0, 0}}, {}, {0.5F}), OptionError);
  EXPECT_THROW(majority_vote({0, 0}, labels), OptionError);  // the label is a category
  EXPECT_THROW(majority_vote({0, 0}, Categorical{{"A"}, {0, 0}}, {1.5, "H"}), OptionError);
}

}  // namespace
}  // namespace scgrad
