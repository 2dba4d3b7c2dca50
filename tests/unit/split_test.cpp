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
  EXPECT_THROW(stratified_split(targets(), 4, 1.0, 1), Error);
}

}  // namespace
}  // namespace scgrad
