#include "scgrad/util/random.hpp"

#include <algorithm>
#include <cmath>

namespace scgrad {

double Random::normal() {
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::size_t Random::index(std::size_t n) {
  return std::min(n - 1, static_cast<std::size_t>(uniform() * static_cast<double>(n)));
}

std::int64_t Random::negative_binomial(double mu, double phi) {
  if (mu <= 0) return 0;
  const double r = 1.0 / phi;
  const double p_success = mu / (r + mu);
  double pmf = std::exp(-r * std::log1p(phi * mu));  // P(0)
  const double u = uniform();
  double cdf = pmf;
  std::int64_t k = 0;
  while (u > cdf && pmf > 0) {
    pmf *= (static_cast<double>(k) + r) / static_cast<double>(k + 1) * p_success;
    ++k;
    cdf += pmf;
  }
  return k;
}

}  // namespace scgrad
