#pragma once
/// @file random.hpp
/// scgrad's own random numbers for simulation, splits and shuffles: std::mt19937_64 with
/// distributions written out here (std::*_distribution output differs between standard
/// libraries), so a seed gives the same result everywhere. Never touches torch's generator.

#include <cstdint>
#include <random>
#include <vector>

namespace scgrad {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11U) * 0x1.0p-53; }
  /// Standard normal (Box–Muller).
  double normal();
  /// Uniform integer in [0, n).
  std::size_t index(std::size_t n);
  /// Negative binomial with mean mu and dispersion phi (variance mu + phi mu^2), by inversion
  /// of its CDF: exact, one uniform and O(1 + mu) work.
  std::int64_t negative_binomial(double mu, double phi);

  /// Fisher–Yates shuffle.
  template <typename T>
  void shuffle(std::vector<T>& values) {
    for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[index(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace scgrad
