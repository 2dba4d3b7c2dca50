#include "scgrad/preprocess/split.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "scgrad/error.hpp"
#include "scgrad/util/random.hpp"

namespace scgrad {

std::vector<std::int64_t> fit_cells(const TrainTestSplit& split) {
  std::vector<std::int64_t> fit;
  std::set_difference(split.train.begin(), split.train.end(), split.validation.begin(),
                      split.validation.end(), std::back_inserter(fit));
  return fit;
}

std::vector<std::int64_t> class_counts_of(const std::vector<std::int32_t>& targets,
                                          const std::vector<std::int64_t>& cells,
                                          std::size_t n_classes) {
  std::vector<std::int64_t> counts(n_classes, 0);
  for (const auto c : cells)
    ++counts[static_cast<std::size_t>(targets[static_cast<std::size_t>(c)])];
  return counts;
}

TrainTestSplit stratified_split(const std::vector<std::int32_t>& targets, std::size_t n_classes,
                                double test_fraction, std::uint64_t seed,
                                double validation_fraction) {
  if (!(test_fraction >= 0 && test_fraction < 1)) {
    throw OptionError("test fraction must be in [0, 1), got " + std::to_string(test_fraction),
                      {"test_fraction"});
  }
  if (!(validation_fraction >= 0 && validation_fraction < 1)) {
    throw OptionError(
        "validation fraction must be in [0, 1), got " + std::to_string(validation_fraction),
        {"validation_fraction"});
  }
  std::vector<std::vector<std::int64_t>> by_class(n_classes);
  for (std::size_t i = 0; i < targets.size(); ++i) {
    by_class[static_cast<std::size_t>(targets[i])].push_back(static_cast<std::int64_t>(i));
  }
  TrainTestSplit split;
  Random random(seed);
  for (auto& members : by_class) {
    // Without a test fraction nothing is drawn for it, so the generator's stream (and the
    // validation cells) match a run that only asks for validation.
    if (test_fraction > 0 || validation_fraction > 0) random.shuffle(members);
    const auto n = static_cast<std::int64_t>(members.size());
    std::int64_t n_test = 0;
    if (test_fraction > 0 && n >= 2) {
      n_test =
          std::clamp<std::int64_t>(std::llround(test_fraction * static_cast<double>(n)), 1, n - 1);
    }
    const auto n_train = n - n_test;
    const auto n_validation =
        n_train >= 2
            ? std::min<std::int64_t>(
                  std::llround(validation_fraction * static_cast<double>(n_train)), n_train - 1)
            : 0;
    const auto first_train = members.begin() + n_test;
    split.test.insert(split.test.end(), members.begin(), first_train);
    split.validation.insert(split.validation.end(), first_train, first_train + n_validation);
    split.train.insert(split.train.end(), first_train, members.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
  std::sort(split.validation.begin(), split.validation.end());
  return split;
}

}  // namespace scgrad
