#pragma once
/// @file split.hpp
/// A stratified train/test split of the selected cells, with a validation set carved from the
/// training cells, reproducible from a seed.

#include <cstdint>
#include <vector>

namespace scgrad {

struct TrainTestSplit {
  /// The training cells: everything fitted (gene filter, scaling) sees all of them. Positions
  /// among the selected cells, ascending.
  std::vector<std::int64_t> train;
  std::vector<std::int64_t> test;  ///< held out, ascending; never in train or validation
  /// A subset of `train` (ascending) that chooses the epoch and the weight decay: the model's
  /// steps do not see it. Empty without a validation fraction.
  std::vector<std::int64_t> validation;
};

/// The training cells the model takes its steps on: train minus validation (ascending).
std::vector<std::int64_t> fit_cells(const TrainTestSplit& split);

/// How many of `cells` (positions into `targets`) each of the `n_classes` classes has.
std::vector<std::int64_t> class_counts_of(const std::vector<std::int32_t>& targets,
                                          const std::vector<std::int64_t>& cells,
                                          std::size_t n_classes);

/// Puts round(test_fraction * n_c) cells of every class c into `test` (at least one and at most
/// n_c - 1 when test_fraction > 0 and the class has two cells or more), chosen with scgrad's own
/// generator seeded with `seed` (torch's generator is not touched). test_fraction 0: all train.
/// Then round(validation_fraction * t_c) of each class's t_c training cells go to `validation`
/// (at most t_c - 1; a class with fewer than 1 / (2 validation_fraction) training cells gives
/// none). The test cells do not depend on validation_fraction.
TrainTestSplit stratified_split(const std::vector<std::int32_t>& targets, std::size_t n_classes,
                                double test_fraction, std::uint64_t seed,
                                double validation_fraction = 0);

}  // namespace scgrad
