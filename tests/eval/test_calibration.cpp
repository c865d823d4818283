#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "eval/calibration.h"

namespace leuko {
namespace {

TEST(Calibration, EceByHand) {
  // Two samples at confidence 0.9 (one right), two at 0.6 (both right), 15 bins:
  // bin of 0.9: |0.5 - 0.9| x 2/4 = 0.2; bin of 0.6: |1 - 0.6| x 2/4 = 0.2.
  std::vector<int> y = {0, 1, 0, 0};
  std::vector<float> p = {0.9f, 0.1f, 0.9f, 0.1f, 0.6f, 0.4f, 0.6f, 0.4f};
  EXPECT_NEAR(expected_calibration_error(y, p, 2), 0.4, 1e-6);
}

TEST(Calibration, TemperatureRecoversAKnownOverconfidence) {
  // Labels drawn from softmax(z); the model reports 3z: the fitted temperature must be ~3 and
  // bring the ECE down.
  std::mt19937_64 rng(4);
  std::normal_distribution<double> g(0, 1.5);
  std::vector<int> y;
  std::vector<float> logits;
  for (int n = 0; n < 4000; ++n) {
    double z0 = g(rng), z1 = g(rng), z2 = g(rng);
    double e0 = std::exp(z0), e1 = std::exp(z1), e2 = std::exp(z2), s = e0 + e1 + e2;
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    y.push_back(u < e0 / s ? 0 : u < (e0 + e1) / s ? 1 : 2);
    for (double z : {z0, z1, z2}) logits.push_back(static_cast<float>(3 * z));
  }
  double t = fit_temperature(y, logits, 3);
  EXPECT_NEAR(t, 3.0, 0.3);
  EXPECT_LT(mean_nll(y, logits, 3, t), mean_nll(y, logits, 3, 1.0));
  EXPECT_LT(expected_calibration_error(y, softmax_rows(logits, 3, t), 3),
            expected_calibration_error(y, softmax_rows(logits, 3, 1.0), 3));
}

}  // namespace
}  // namespace leuko
