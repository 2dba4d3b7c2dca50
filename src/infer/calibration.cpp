#include "scgrad/infer/calibration.hpp"

#include <algorithm>
#include <cmath>

namespace scgrad {

namespace {

/// One cell's tempered log-probabilities: logs[c] = log p_c / T - log sum_c' p_c'^(1/T),
/// computed stably (the largest term factored out). A probability of exactly 0 is floored so
/// it stays finite in log space.
void tempered_logs(const float* row, std::size_t k, double temperature, std::vector<double>& logs) {
  double largest = -INFINITY;
  for (std::size_t c = 0; c < k; ++c) {
    logs[c] = std::log(std::max<double>(row[c], 1e-30)) / temperature;
    largest = std::max(largest, logs[c]);
  }
  double sum = 0;
  for (const auto l : logs) sum += std::exp(l - largest);
  const double log_sum = largest + std::log(sum);
  for (auto& l : logs) l -= log_sum;
}

/// Mean cross-entropy, under the probabilities tempered by T, of targets that give the true
/// class 1 - e and the others e / (k - 1), e = 1 / (n + 2) (Laplace's rule of succession: n
/// cells all predicted right still say the next one may not be). Without it a validation set
/// the model gets entirely right would drive T to 0 and every confidence to 1.
double mean_nll(const std::vector<float>& probabilities, std::size_t k,
                const std::vector<std::int32_t>& truth, double temperature) {
  const double e = 1.0 / (static_cast<double>(truth.size()) + 2);
  double total = 0;
  std::vector<double> logs(k);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    tempered_logs(probabilities.data() + i * k, k, temperature, logs);
    const auto t = static_cast<std::size_t>(truth[i]);
    for (std::size_t c = 0; c < k; ++c) {
      const double target = c == t ? 1 - e : e / static_cast<double>(k - 1);
      total -= target * logs[c];
    }
  }
  return total / static_cast<double>(truth.size());
}

/// The loss the temperature minimises: the mean cross-entropy above plus a prior on log T,
/// normal around 0 (no change) with SD kPriorSd, per cell: a few dozen validation cells move T
/// only as far as they are sure of; thousands decide it alone.
constexpr double kPriorSd = 0.5;
double calibration_loss(const std::vector<float>& probabilities, std::size_t k,
                        const std::vector<std::int32_t>& truth, double log_temperature) {
  const double n = static_cast<double>(truth.size());
  return mean_nll(probabilities, k, truth, std::exp(log_temperature)) +
         log_temperature * log_temperature / (2 * kPriorSd * kPriorSd * n);
}

}  // namespace

std::vector<float> tempered(const std::vector<float>& probabilities, std::size_t k,
                            double temperature) {
  if (temperature == 1 || k == 0) return probabilities;
  std::vector<float> out(probabilities.size());
  std::vector<double> logs(k);
  for (std::size_t i = 0; i < probabilities.size() / k; ++i) {
    tempered_logs(probabilities.data() + i * k, k, temperature, logs);
    for (std::size_t c = 0; c < k; ++c) out[i * k + c] = static_cast<float>(std::exp(logs[c]));
  }
  return out;
}

double fit_temperature(const std::vector<float>& probabilities, std::size_t k,
                       const std::vector<std::int32_t>& truth) {
  if (truth.empty() || k < 2) return 1;
  // Golden-section search on log T over [log 0.05, log 20].
  const auto loss = [&](double log_t) { return calibration_loss(probabilities, k, truth, log_t); };
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double low = std::log(0.05), high = std::log(20.0);
  double a = high - ratio * (high - low), b = low + ratio * (high - low);
  double fa = loss(a), fb = loss(b);
  for (int step = 0; step < 60; ++step) {
    if (fa <= fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - ratio * (high - low);
      fa = loss(a);
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + ratio * (high - low);
      fb = loss(b);
    }
  }
  const double best = (low + high) / 2;
  // Keep T = 1 unless tempering truly helps: a flat loss must not move the confidences.
  return loss(best) < loss(0.0) - 1e-9 ? std::exp(best) : 1.0;
}

double expected_calibration_error(const std::vector<float>& probabilities, std::size_t k,
                                  const std::vector<std::int32_t>& truth, int bins) {
  if (truth.empty() || k == 0 || bins < 1) return 0;
  std::vector<double> confidence(static_cast<std::size_t>(bins), 0.0);
  std::vector<double> correct(static_cast<std::size_t>(bins), 0.0);
  std::vector<double> count(static_cast<std::size_t>(bins), 0.0);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const auto* row = probabilities.data() + i * k;
    const auto top = static_cast<std::size_t>(std::max_element(row, row + k) - row);
    const double p = row[top];
    // Bins (0, 1/B], ..., ((B-1)/B, 1], as the usual definition; p = 0 joins the first.
    const auto bin = static_cast<std::size_t>(
        std::clamp(static_cast<int>(std::ceil(p * bins)) - 1, 0, bins - 1));
    confidence[bin] += p;
    correct[bin] += static_cast<std::size_t>(truth[i]) == top ? 1.0 : 0.0;
    count[bin] += 1;
  }
  double ece = 0;
  for (std::size_t b = 0; b < count.size(); ++b) {
    if (count[b] > 0) ece += std::abs(correct[b] - confidence[b]);
  }
  return ece / static_cast<double>(truth.size());
}

}  // namespace scgrad
