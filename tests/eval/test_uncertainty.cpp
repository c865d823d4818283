// Per-image confidence scores against values computed by hand from small logit rows.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "eval/uncertainty.h"

namespace leuko {
namespace {

// One logit row, a temperature, and its three scores computed by hand:
//   MSP = 1 / sum_c exp((z_c - z_max) / T); margin = top-1 minus top-2 probability;
//   -E = T log sum exp(z / T) = z_max + T log sum exp((z - z_max) / T).
struct KnownRow {
  std::vector<float> logits;
  double temperature, msp, margin, negative_energy;
};

const std::vector<KnownRow> kKnownRows = {
    // [0, 0]: a tie; -E = T log 2.
    {{0, 0}, 1.0, 0.5, 0.0, 0.693147},
    {{0, 0}, 2.0, 0.5, 0.0, 1.386294},
    // [2, 0]: MSP = 1 / (1 + e^(-2/T)), margin = tanh(1/T), -E = 2 + T log(1 + e^(-2/T)).
    {{2, 0}, 1.0, 0.880797, 0.761594, 2.126928},
    {{2, 0}, 2.0, 0.731059, 0.462117, 2.626523},
    // [1, 2, 3] (top class last, to catch a score read off the first column):
    //   T=1: MSP = 1 / (1 + e^-1 + e^-2), margin = (1 - e^-1) x MSP, -E = 3 + log(1 + e^-1 + e^-2);
    //   T=2: the same with e^-0.5 and e^-1, -E = 3 + 2 log(1 + e^-0.5 + e^-1).
    {{1, 2, 3}, 1.0, 0.665241, 0.420512, 3.407606},
    {{1, 2, 3}, 2.0, 0.506480, 0.199285, 4.360539},
};

TEST(Uncertainty, KnownLogitsByHand) {
  for (const KnownRow& r : kKnownRows) {
    const int k = static_cast<int>(r.logits.size());
    SCOPED_TRACE("K=" + std::to_string(k) + " T=" + std::to_string(r.temperature));
    EXPECT_NEAR(max_softmax_probability(r.logits, k, r.temperature)[0], r.msp, 1e-6);
    EXPECT_NEAR(softmax_margin(r.logits, k, r.temperature)[0], r.margin, 1e-6);
    EXPECT_NEAR(negative_energy(r.logits, k, r.temperature)[0], r.negative_energy, 1e-6);
  }
}

TEST(Uncertainty, HigherTemperatureLowersTheMaxProbability) {
  // Softening the logits moves every non-tied row towards 1/K.
  EXPECT_LT(max_softmax_probability({2, 0}, 2, 2.0)[0], max_softmax_probability({2, 0}, 2, 1.0)[0]);
  EXPECT_LT(max_softmax_probability({1, 2, 3}, 3, 2.0)[0], max_softmax_probability({1, 2, 3}, 3, 1.0)[0]);
}

TEST(Uncertainty, NegativeEnergyDoesNotOverflowOnLargeLogits) {
  // exp(1000) overflows a double; shifted by the max it is 1000 + log 2.
  std::vector<float> big = {1000, 1000};
  EXPECT_NEAR(negative_energy(big, 2)[0], 1000.693147, 1e-3);
}

TEST(Uncertainty, EnergySeparatesWhatMaxProbabilityCannot) {
  // Both rows are a 50/50 tie (MSP 0.5, margin 0), but the first has far larger logits: Liu et al.'s
  // point that energy keeps the magnitude the softmax normalises away. Higher = more in-distribution.
  std::vector<float> logits = {10, 10, 0, 0};
  auto msp = max_softmax_probability(logits, 2);
  auto energy = negative_energy(logits, 2);
  EXPECT_FLOAT_EQ(msp[0], msp[1]);
  EXPECT_FLOAT_EQ(softmax_margin(logits, 2)[0], 0.0f);
  EXPECT_GT(energy[0], energy[1]);
  EXPECT_NEAR(energy[0] - energy[1], 10.0, 1e-5);
}

TEST(Uncertainty, OneScorePerRow) {
  // Rows: [1, 2, 3], its reverse (same scores), a tie at 0 and a tie at 5 (MSP 1/3, margin 0).
  std::vector<float> logits = {1, 2, 3, 3, 2, 1, 0, 0, 0, 5, 5, 5};
  auto msp = max_softmax_probability(logits, 3);
  auto margin = softmax_margin(logits, 3);
  auto energy = negative_energy(logits, 3);
  ASSERT_EQ(msp.size(), 4u);
  ASSERT_EQ(energy.size(), 4u);
  EXPECT_NEAR(msp[1], 0.665241, 1e-6);
  EXPECT_NEAR(margin[1], 0.420512, 1e-6);
  EXPECT_NEAR(msp[3], 1.0 / 3, 1e-6);
  EXPECT_NEAR(margin[2], 0.0, 1e-6);
  EXPECT_NEAR(energy[3] - energy[2], 5.0, 1e-5);  // log 3 + 5 vs log 3
  EXPECT_TRUE(negative_energy({}, 3).empty());
}

TEST(Uncertainty, RejectsNonFiniteLogitsAndBadArguments) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  EXPECT_THROW(max_softmax_probability({1, nan}, 2), std::invalid_argument);
  EXPECT_THROW(negative_energy({inf, 0}, 2), std::invalid_argument);
  EXPECT_THROW(softmax_margin({0, -inf}, 2), std::invalid_argument);
  EXPECT_THROW(negative_energy({1, 2, 3}, 2), std::invalid_argument);     // not rows of 2
  EXPECT_THROW(negative_energy({1, 2}, 2, 0.0), std::invalid_argument);  // temperature 0
  EXPECT_THROW(max_softmax_probability({1, 2}, 2, std::nan("")), std::invalid_argument);
  EXPECT_THROW(softmax_margin({1}, 1), std::invalid_argument);           // no second class
}

}  // namespace
}  // namespace leuko
