// The bootstrap's three shared rules (units, resample, percentile) and the one McNemar count,
// against values worked out by hand; bootstrap_ci is checked to be exactly these rules composed.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST(Statistics, StrataAreUnitsByTheirMajorityClassLowestLabelOnATie) {
  // Units: {0,1} both class 1; {2} class 0; {3,4} a tie of 0 and 2 -> 0; {5,6,7} two 2s, one 1 -> 2.
  const Units units{{0, 1}, {2}, {3, 4}, {5, 6, 7}};
  const std::vector<int> labels{1, 1, 0, 2, 0, 2, 1, 2};
  EXPECT_EQ(strata_by_class(units, labels), (Units{{1, 2}, {0}, {3}}));
  EXPECT_EQ(bootstrap_strata(units, labels, false), (Units{{0, 1, 2, 3}}));
  EXPECT_TRUE(bootstrap_strata({}, {}, false).empty());
}

TEST(Statistics, StratifiedResampleKeepsEachClassCountOfPatients) {
  // Four ALL patients and one HEM donor, as in a 5-patient C-NMC test split: an unstratified
  // draw of 5 patients misses the donor about a third of the time (0.8^5); a stratified one never.
  const Units units{{0, 1}, {2, 3}, {4}, {5, 6}, {7, 8, 9}};
  const std::vector<int> labels{0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
  const auto strata = strata_by_class(units, labels);
  std::mt19937_64 rng(5), plain(5);
  int plain_without_donor = 0;
  for (int draw = 0; draw < 200; ++draw) {
    const auto rows = resample_rows(units, strata, rng);
    long hem = std::count_if(rows.begin(), rows.end(), [&](size_t i) { return labels[i] == 1; });
    ASSERT_EQ(hem, 3) << "draw " << draw;  // the donor's three cells, exactly once
    const auto unstratified = resample_rows(units, plain);
    plain_without_donor += std::none_of(unstratified.begin(), unstratified.end(), [&](size_t i) { return labels[i] == 1; });
  }
  EXPECT_GT(plain_without_donor, 30);  // the failure the strata prevent does happen without them
}

TEST(Statistics, StratifiedPatientIntervalHasNoOneClassResamples) {
  // 5 patients (4 ALL, 1 HEM), the HEM donor's cells mostly right, one ALL patient poorly
  // classified. Resampling patients without strata sometimes drops the donor, and the macro-F1
  // of such a resample averages the one class present; within strata that cannot happen.
  std::vector<int> y;
  std::vector<float> probs;
  std::vector<std::string> patients;
  for (int pt = 0; pt < 5; ++pt)
    for (int i = 0; i < 20; ++i) {
      const int label = pt == 4 ? 1 : 0;
      const bool right = pt == 0 ? i % 2 == 0 : i % 10 != 0;
      const float p1 = (label == 1) == right ? 0.9f : 0.1f;
      y.push_back(label);
      probs.push_back(1 - p1);
      probs.push_back(p1);
      patients.push_back("P" + std::to_string(pt));
    }
  const auto ci = bootstrap_ci(y, probs, 2, patients, 1000, 11);
  // The unstratified interval, by the same rules without strata.
  const auto units = bootstrap_units(patients, y.size());
  std::mt19937_64 rng(11);
  std::vector<double> f1;
  for (int r = 0; r < 1000; ++r) {
    std::vector<int> ry;
    std::vector<float> rp;
    for (size_t i : resample_rows(units, rng)) {
      ry.push_back(y[i]);
      rp.push_back(probs[2 * i]);
      rp.push_back(probs[2 * i + 1]);
    }
    f1.push_back(compute_metrics(ry, rp, 2).f1_macro);
  }
  const Interval plain = percentile_interval(f1);
  const double point = compute_metrics(y, probs, 2).f1_macro;
  EXPECT_LE(ci.at("f1_macro").lo, point);
  EXPECT_GE(ci.at("f1_macro").hi, point);
  // Unstratified: about a third of the draws hold ALL patients only, whose macro-F1 is the ALL
  // class's F1 alone (0.95 here) -- the upper end then reports a one-class score. Measured:
  // stratified [0.626, 0.859], unstratified [0.696, 0.947], point 0.772.
  EXPECT_LT(ci.at("f1_macro").hi, plain.hi - 0.05);
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
  const auto strata = strata_by_class(units, y);
  ASSERT_EQ(strata.size(), 2u);
  std::mt19937_64 rng(3);
  std::vector<double> accuracy, f1;
  for (int r = 0; r < 200; ++r) {
    std::vector<int> ry;
    std::vector<float> rp;
    for (size_t i : resample_rows(units, strata, rng)) {
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
