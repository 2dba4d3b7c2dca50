// Temperature scaling and the expected calibration error, against values worked by hand.

#include "scgrad/infer/calibration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace scgrad {
namespace {

TEST(Calibration, TemperedKeepsTheArgmaxAndSharpensOrSoftens) {
  const std::vector<float> p = {0.7F, 0.2F, 0.1F, 0.1F, 0.3F, 0.6F};
  const auto softer = tempered(p, 3, 2.0);
  // T = 2: p^(1/2) renormalised; row 0: sqrt(.7), sqrt(.2), sqrt(.1) over their sum.
  const double sum = std::sqrt(0.7) + std::sqrt(0.2) + std::sqrt(0.1);
  EXPECT_NEAR(softer[0], std::sqrt(0.7) / sum, 1e-6);
  EXPECT_NEAR(softer[2], std::sqrt(0.1) / sum, 1e-6);
  EXPECT_LT(softer[0], 0.7F);
  const auto sharper = tempered(p, 3, 0.5);
  EXPECT_GT(sharper[5], 0.6F);
  EXPECT_EQ(tempered(p, 3, 1.0), p);
  for (std::size_t row = 0; row < 2; ++row) {
    const auto* s = softer.data() + row * 3;
    EXPECT_NEAR(s[0] + s[1] + s[2], 1.0, 1e-6);
  }
}

TEST(Calibration, ExpectedCalibrationErrorByHand) {
  // Two cells at top probability 0.95 (bin 15), one right and one wrong: |0.5 - 0.95| x 2/4;
  // two at 0.55 (bin 9), both right: |1 - 0.55| x 2/4. ECE = 0.225 + 0.225.
  const std::vector<float> p = {0.95F, 0.05F, 0.95F, 0.05F, 0.55F, 0.45F, 0.45F, 0.55F};
  const std::vector<std::int32_t> truth = {0, 1, 0, 1};
  EXPECT_NEAR(expected_calibration_error(p, 2, truth), 0.45, 1e-6);
  // Perfectly calibrated: every cell at 1.0 and right.
  EXPECT_NEAR(expected_calibration_error({1.0F, 0.0F, 0.0F, 1.0F}, 2, {0, 1}), 0.0, 1e-9);
}

TEST(Calibration, FitTemperatureRecoversAnOverconfidentModel) {
  // Cells whose true class has probability q; the reported probabilities are q^(1/T0),
  // renormalised (a model overconfident by T0 = 2.5). The fitted T undoes it.
  std::mt19937 random(3);
  std::uniform_real_distribution<double> logit(-3, 3);
  std::vector<float> calibrated;
  std::vector<std::int32_t> truth;
  for (int i = 0; i < 4000; ++i) {
    const double l[3] = {logit(random), logit(random), logit(random)};
    const double z = std::exp(l[0]) + std::exp(l[1]) + std::exp(l[2]);
    std::discrete_distribution<int> draw({std::exp(l[0]), std::exp(l[1]), std::exp(l[2])});
    truth.push_back(draw(random));
    for (const double v : l) calibrated.push_back(static_cast<float>(std::exp(v) / z));
  }
  const auto overconfident = tempered(calibrated, 3, 1 / 2.5);
  const double t = fit_temperature(overconfident, 3, truth);
  EXPECT_NEAR(t, 2.5, 0.25);
  EXPECT_LT(expected_calibration_error(tempered(overconfident, 3, t), 3, truth),
            expected_calibration_error(overconfident, 3, truth) / 3);
  // Already calibrated: T stays near 1.
  EXPECT_NEAR(fit_temperature(calibrated, 3, truth), 1.0, 0.1);
  EXPECT_EQ(fit_temperature(calibrated, 3, {}), 1.0);
}

TEST(Calibration, AValidationSetPredictedAllRightDoesNotSendTheTemperatureToZero) {
  // 20 cells, all right at 0.9: the plain likelihood would want every confidence at 1 (T -> 0);
  // the rule of succession wants about 21/22 = 0.955, the prior on log T holds it nearer 0.9.
  std::vector<float> p;
  std::vector<std::int32_t> truth;
  for (int i = 0; i < 20; ++i) {
    p.insert(p.end(), {0.9F, 0.05F, 0.05F});
    truth.push_back(0);
  }
  const double t = fit_temperature(p, 3, truth);
  EXPECT_GT(t, 0.5);
  EXPECT_LT(t, 1.0);
  EXPECT_GT(tempered(p, 3, t)[0], 0.9);
  EXPECT_LT(tempered(p, 3, t)[0], 21.0 / 22.0 + 0.005);
}

}  // namespace
}  // namespace scgrad
