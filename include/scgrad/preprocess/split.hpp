#pragma once
/// @file split.hpp
/// A stratified train/test split of the selected cells, reproducible from a seed.

#include <cstdint>
#include <vector>

namespace scgrad {

struct TrainTestSplit {
  std::vector<std::int64_t> train;  ///< positions among the selected cells, ascending
  std::vector<std::int64_t> test;   ///< positions among the selected cells, ascending
};

/// Puts round(test_fraction * n_c) cells of every class c into `test` (at least one and at most
/// n_c - 1 when test_fraction > 0 and the class has two cells or more), chosen with scgrad's own
/// generator seeded with `seed` (torch's generator is not touched). test_fraction 0: all train.
TrainTestSplit stratified_split(const std::vector<std::int32_t>& targets, std::size_t n_classes,
                                double test_fraction, std::uint64_t seed);

}  // namespace scgrad
