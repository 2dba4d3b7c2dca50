#pragma once
// Range checks for numeric options, with messages a user reads ("--top: expected a number >= 1,
// got '0'") instead of CLI11's built-in ones (which print the largest double, 309 digits).
// NaN and infinity are refused by every check.

#include <CLI/CLI.hpp>

namespace scgrad::app {

/// A finite number > 0.
CLI::Validator positive();
/// A finite number >= 0.
CLI::Validator non_negative();
/// A finite number in [low, high].
CLI::Validator within(double low, double high);

}  // namespace scgrad::app
