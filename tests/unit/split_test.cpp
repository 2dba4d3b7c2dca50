#include "scgrad/preprocess/split.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "scgrad/error.hpp"

namespace scgrad {
namespace {

std::vector<std::int32_t> targets() {
  std::vector<std::int32_t> t;
  for (int i = 0; i < 50; ++i) t.push_back(0);
  for (int i = 0; i < 30; ++i) t.push_back(1);
  for (int i = 0; i < 3; ++i) t.push_back(2);
  t.push_back(3);  // a class with one cell stays in training
  return t;
}

TEST(StratifiedSplit, KeepsClassProportionsAndCoversEveryCellOnce) {
  const auto t = targets();
  const auto split = stratified_split(t, 4, 0.2, 7);
  std::vector<int> test_per_class(4, 0);
  for (const auto i : split.test) ++test_per_class[static_cast<std::size_t>(t[i])];
  EXPECT_EQ(test_per_class, (std::vector<int>{10, 6, 1, 0}));
  std::vector<std::int64_t> all = split.train;
  all.insert(all.end(), split.test.begin(), split.test.end());
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<std::int64_t>(i));
  EXPECT_TRUE(std::is_sorted(split.train.begin(), split.train.end()));
}

TEST(StratifiedSplit, SameSeedSameSplitOtherSeedOther) {
  const auto t = targets();
  EXPECT_EQ(stratified_split(t, 4, 0.25, 1).test, stratified_split(t, 4, 0.25, 1).test);
  EXPECT_NE(stratified_split(t, 4, 0.25, 1).test, stratified_split(t, 4, 0.25, 2).test);
}

TEST(StratifiedSplit, ZeroFractionIsTheExercisesNoSplit) {
  const auto split = stratified_split(targets(), 4, 0, 1);
  EXPECT_TRUE(split.test.empty());
  EXPECT_EQ(split.train.size(), targets().size());
  EXPECT_THROW(stratified_split(targets(), 4, 1.0, 1), OptionError);
}

}  // namespace
}  // namespace scgrad

namespace scgrad {
namespace {

TEST(StratifiedSplit, ValidationIsCarvedFromTrainingCellsNeverFromHeldOut) {
  // 4 classes of 100, 30, 10 and 3 cells.
  std::vector<std::int32_t> t;
  for (const auto& [c, n] : std::vector<std::pair<int, int>>{{0, 100}, {1, 30}, {2, 10}, {3, 3}}) {
    t.insert(t.end(), static_cast<std::size_t>(n), c);
  }
  for (const std::uint64_t seed : {0U, 1U, 2U}) {
    const auto without = stratified_split(t, 4, 0.2, seed);
    const auto split = stratified_split(t, 4, 0.2, seed, 0.1);
    EXPECT_EQ(split.test, without.test);  // the held-out cells do not move
    EXPECT_EQ(split.train, without.train);
    for (const auto v : split.validation) {
      EXPECT_FALSE(std::binary_search(split.test.begin(), split.test.end(), v));
      EXPECT_TRUE(std::binary_search(split.train.begin(), split.train.end(), v));
    }
    std::vector<int> per_class(4, 0);
    for (const auto v : split.validation) ++per_class[static_cast<std::size_t>(t[v])];
    // training cells per class: 80, 24, 8, 2 → validation round(0.1 t): 8, 2, 1, 0
    EXPECT_EQ(per_class, (std::vector<int>{8, 2, 1, 0}));
    const auto fit = fit_cells(split);
    EXPECT_EQ(fit.size() + split.validation.size(), split.train.size());
    for (const auto f : fit) {
      EXPECT_FALSE(std::binary_search(split.validation.begin(), split.validation.end(), f));
    }
  }
  // Without a test split, validation still comes from the (all) training cells.
  const auto no_test = stratified_split(t, 4, 0, 5, 0.2);
  EXPECT_TRUE(no_test.test.empty());
  EXPECT_EQ(no_test.train.size(), t.size());
  EXPECT_EQ(no_test.validation.size(), 20U + 6U + 2U + 1U);
  EXPECT_THROW(stratified_split(t, 4, 0.2, 1, 1.0), OptionError);
}

}  // namespace
}  // namespace scgrad
