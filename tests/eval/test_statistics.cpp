// The bootstrap's three shared rules (units, resample, percentile) and the one McNemar count,
// against values worked out by hand; bootstrap_ci is checked to be exactly these rules composed.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "eval/metrics.h"
#include "eval/statistics.h"

namespace leuko {
namespace {

using Units = std::vector<std::vector<size_t>>;

TEST(Statistics, PercentileIntervalInterpolatesBetweenOrderStatistics) {
  // Sorted 1..5: position 0.025 * 4 = 0.1 -> 1 + 0.1 * (2 - 1); 0.975 * 4 = 3.9 -> 4 + 0.9 * (5 - 4).
  Interval ci = percentile_interval({5, 1, 4, 2, 3});
  EXPECT_DOUBLE_EQ(ci.lo, 1.1);
  EXPECT_DOUBLE_EQ(ci.hi, 4.9);
  // Median of 0, 10, 20, 40 at position 1.5: halfway between 10 and 20 (nearest rank would say 20).
  Interval mid = percentile_interval({40, 0, 20, 10}, 0.5, 0.5);
  EXPECT_DOUBLE_EQ(mid.lo, 15.0);
  EXPECT_DOUBLE_EQ(mid.hi, 15.0);
  Interval one = percentile_interval({0.7});
  EXPECT_DOUBLE_EQ(one.lo, 0.7);
  EXPECT_DOUBLE_EQ(one.hi, 0.7);
  EXPECT_TRUE(std::isnan(percentile_interval({}).lo));
}

TEST(Statistics, BootstrapUnitsGroupByIdInOrderOfFirstAppearance) {
  EXPECT_EQ(bootstrap_units({"A", "B", "A", "", "B"}, 5), (Units{{0, 2}, {1, 4}, {3}}));
  EXPECT_TRUE(resamples_by_group({"A", "", ""}, 3));
  // Two images without an id are two units, not one group named "".
  EXPECT_EQ(bootstrap_units({"", "A", ""}, 3), (Units{{0}, {1}, {2}}));
}

TEST(Statistics, BootstrapUnitsAreImagesWithoutUsableIds) {
  EXPECT_EQ(bootstrap_units({}, 3), (Units{{0}, {1}, {2}}));
  EXPECT_EQ(bootstrap_units({"", "", ""}, 3), (Units{{0}, {1}, {2}}));
  EXPECT_FALSE(resamples_by_group({"", ""}, 2));
  EXPECT_FALSE(resamples_by_group({"A", "A"}, 3));  // not one id per sample
  EXPECT_EQ(bootstrap_units({"A", "A"}, 3), (Units{{0}, {1}, {2}}));
}

TEST(Statistics, ResampleDrawsWholeUnitsWithReplacementInDrawOrder) {
  const Units units{{0, 1, 2}, {3}, {4, 5}};
  std::mt19937_64 rng(42), replay(42);
  std::uniform_int_distribution<size_t> pick(0, units.size() - 1);
  for (int draw = 0; draw < 50; ++draw) {
    std::vector<size_t> expected;
    for (size_t u = 0; u < units.size(); ++u) {
      const auto& members = units[pick(replay)];
      expected.insert(expected.end(), members.begin(), members.end());
    }
    const std::vector<size_t> rows = resample_rows(units, rng);
    ASSERT_EQ(rows, expected) << "draw " << draw;
    // Whole units only: a row 0 is always followed by 1 and 2, a 4 by 5.
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] == 0) {
        ASSERT_TRUE(i + 2 < rows.size() && rows[i + 1] == 1 && rows[i + 2] == 2);
      }
      if (rows[i] == 4) {
        ASSERT_TRUE(i + 1 < rows.size() && rows[i + 1] == 5);
      }
    }
  }
  EXPECT_TRUE(resample_rows({}, rng).empty());
}

TEST(Statistics, BootstrapCiIsTheSharedRulesComposed) {
  std::vector<int> y;
  std::vector<float> probs;
  std::vector<std::string> patients;
  for (int i = 0; i < 60; ++i) {
    y.push_back(i % 2);
    float p1 = (i % 7 == 0) == (i % 2 == 1) ? 0.3f : 0.65f + 0.005f * static_cast<float>(i % 5);
    probs.push_back(1 - p1);
    probs.push_back(p1);
    patients.push_back(i % 9 == 0 ? "" : "P" + std::to_string(i / 6));
  }
  const auto ci = bootstrap_ci(y, probs, 2, patients, 200, 3);

  const auto units = bootstrap_units(patients, y.size());
  std::mt19937_64 rng(3);
  std::vector<double> accuracy, f1;
  for (int r = 0; r < 200; ++r) {
    std::vector<int> ry;
    std::vector<float> rp;
    for (size_t i : resample_rows(units, rng)) {
      ry.push_back(y[i]);
      rp.push_back(probs[2 * i]);
      rp.push_back(probs[2 * i + 1]);
    }
    Metrics m = compute_metrics(ry, rp, 2);
    accuracy.push_back(m.accuracy);
    f1.push_back(m.f1_macro);
  }
  EXPECT_EQ(ci.at("accuracy").lo, percentile_interval(accuracy).lo);
  EXPECT_EQ(ci.at("accuracy").hi, percentile_interval(accuracy).hi);
  EXPECT_EQ(ci.at("f1_macro").lo, percentile_interval(f1).lo);
  EXPECT_EQ(ci.at("f1_macro").hi, percentile_interval(f1).hi);
  EXPECT_LT(ci.at("accuracy").lo, ci.at("accuracy").hi);
}

TEST(Statistics, McNemarFromCorrectnessCountsEachCellAndAgreesWithPredictions) {
  //          a: R R R R W W W R   b: R W W W R W W R
  McNemar r = mcnemar_from_correct({true, true, true, true, false, false, false, true},
                                   {true, false, false, false, true, false, false, true});
  EXPECT_EQ(r.both_right, 2);
  EXPECT_EQ(r.only_a_right, 3);
  EXPECT_EQ(r.only_b_right, 1);
  EXPECT_EQ(r.both_wrong, 2);
  EXPECT_NEAR(r.p_value, 2.0 * (1 + 4) / 16, 1e-12);  // 2 * P(X <= 1 | n = 4, p = 1/2)

  McNemar e = mcnemar_exact({0, 0, 1, 1, 1, 0, 1, 0}, {0, 0, 1, 1, 0, 1, 0, 0}, {0, 1, 0, 0, 1, 1, 0, 0});
  EXPECT_EQ(e.both_right, r.both_right);
  EXPECT_EQ(e.only_a_right, r.only_a_right);
  EXPECT_EQ(e.only_b_right, r.only_b_right);
  EXPECT_EQ(e.both_wrong, r.both_wrong);
  EXPECT_EQ(e.p_value, r.p_value);
  EXPECT_THROW(mcnemar_from_correct({true}, {true, false}), std::invalid_argument);
}

}  // namespace
}  // namespace leuko
