#include "scgrad/preprocess/split.hpp"

#include <algorithm>
#include <cmath>

#include "scgrad/error.hpp"
#include "scgrad/util/random.hpp"

namespace scgrad {

TrainTestSplit stratified_split(const std::vector<std::int32_t>& targets, std::size_t n_classes,
                                double test_fraction, std::uint64_t seed) {
  if (!(test_fraction >= 0 && test_fraction < 1)) {
    throw Error("--test-fraction must be in [0, 1), got " + std::to_string(test_fraction));
  }
  TrainTestSplit split;
  if (test_fraction == 0) {
    for (std::size_t i = 0; i < targets.size(); ++i)
      split.train.push_back(static_cast<std::int64_t>(i));
    return split;
  }
  std::vector<std::vector<std::int64_t>> by_class(n_classes);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    by_class[static_cast<std::size_t>(targets[i])].push_back(static_cast<std::int64_t>(i));
  }
  Random random(seed);
  for (auto& members : by_class) {
    random.shuffle(members);
    const auto n = static_cast<std::int64_t>(members.size());
    auto n_test = static_cast<std::int64_t>(std::llround(test_fraction * static_cast<double>(n)));
    if (n >= 2)
      n_test = std::clamp<std::int64_t>(n_test, 1, n - 1);
    else
      n_test = 0;
    split.test.insert(split.test.end(), members.begin(), members.begin() + n_test);
    split.train.insert(split.train.end(), members.begin() + n_test, members.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
  return split;
}

}  // namespace scgrad
