// Selective classification and OOD metrics on hand-made score sets whose every number can be
// checked by counting.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "eval/selective.h"

namespace leuko {
namespace {

// Ten images scored 1.0, 0.9, ..., 0.1; the 5th, 9th and 10th most confident are wrong.
// Risk of the k most confident: k=1..4: 0; 5: 1/5; 6: 1/6; 7: 1/7; 8: 1/8; 9: 2/9; 10: 3/10.
// The risk is not monotone: k=5 breaks a 15 % target that k=7 and k=8 meet again.
struct TenImages {
  std::vector<float> scores = {1.0f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f};
  std::vector<bool> correct = {true, true, true, true, false, true, true, true, false, false};
};

TEST(Selective, RiskCoverageCurveByHand) {
  TenImages s;
  auto curve = risk_coverage_curve(s.scores, s.correct);
  ASSERT_EQ(curve.size(), 10u);
  EXPECT_DOUBLE_EQ(curve[3].coverage, 0.4);
  EXPECT_DOUBLE_EQ(curve[3].risk, 0.0);
  EXPECT_DOUBLE_EQ(curve[4].risk, 0.2);
  EXPECT_FLOAT_EQ(static_cast<float>(curve[4].threshold), 0.6f);
  EXPECT_DOUBLE_EQ(curve[9].coverage, 1.0);
  EXPECT_DOUBLE_EQ(curve[9].risk, 0.3);
  // AURC without ties: the mean of the ten risks.
  EXPECT_NEAR(area_under_risk_coverage(curve), (0.2 + 1.0 / 6 + 1.0 / 7 + 1.0 / 8 + 2.0 / 9 + 0.3) / 10, 1e-12);
}

TEST(Selective, ThresholdMaximisesCoverageUnderTheTarget) {
  TenImages s;
  // 15 %: k=8 (risk 1/8) is the largest feasible, past the infeasible k=5 and k=6.
  SelectiveThreshold t = choose_selective_threshold(s.scores, s.correct, 0.15);
  EXPECT_TRUE(t.feasible);
  EXPECT_FLOAT_EQ(static_cast<float>(t.threshold), 0.3f);
  EXPECT_EQ(t.validation.accepted, 8);
  EXPECT_DOUBLE_EQ(t.validation.coverage, 0.8);
  EXPECT_DOUBLE_EQ(t.validation.risk, 0.125);
  // Exactly at the target counts as meeting it.
  EXPECT_DOUBLE_EQ(choose_selective_threshold(s.scores, s.correct, 0.125).validation.coverage, 0.8);
  // 10 %: only the four error-free images.
  t = choose_selective_threshold(s.scores, s.correct, 0.10);
  EXPECT_FLOAT_EQ(static_cast<float>(t.threshold), 0.7f);
  EXPECT_DOUBLE_EQ(t.validation.coverage, 0.4);
  EXPECT_DOUBLE_EQ(t.validation.risk, 0.0);
  // 30 %: everything.
  EXPECT_DOUBLE_EQ(choose_selective_threshold(s.scores, s.correct, 0.30).validation.coverage, 1.0);
}

TEST(Selective, TiesAreAcceptedOrFlaggedTogether) {
  // Scores 0.9, 0.5, 0.5, 0.1; one of the tied pair is wrong. A threshold cannot accept just the
  // right one of the pair, so at a 20 % target only the 0.9 image is accepted (coverage 1/4, not 2/4).
  std::vector<float> scores = {0.5f, 0.9f, 0.1f, 0.5f};
  std::vector<bool> correct = {true, true, true, false};
  auto curve = risk_coverage_curve(scores, correct);
  ASSERT_EQ(curve.size(), 3u);
  EXPECT_DOUBLE_EQ(curve[1].coverage, 0.75);
  EXPECT_DOUBLE_EQ(curve[1].risk, 1.0 / 3);
  SelectiveThreshold t = choose_selective_threshold(scores, correct, 0.2);
  EXPECT_DOUBLE_EQ(t.validation.coverage, 0.25);
  EXPECT_FLOAT_EQ(static_cast<float>(t.threshold), 0.9f);
  // Step area: 0 x 0.25 + (1/3) x 0.5 + (1/4) x 0.25 = 11/48.
  EXPECT_NEAR(area_under_risk_coverage(curve), 11.0 / 48, 1e-12);
}

TEST(Selective, NoFeasibleThresholdAcceptsNothing) {
  // The most confident image is wrong, so every prefix has risk >= 1/3.
  std::vector<float> scores = {0.9f, 0.8f, 0.7f};
  std::vector<bool> correct = {false, true, false};
  SelectiveThreshold t = choose_selective_threshold(scores, correct, 0.3);
  EXPECT_FALSE(t.feasible);
  EXPECT_TRUE(std::isinf(t.threshold) && t.threshold > 0);
  EXPECT_EQ(t.validation.accepted, 0);
  EXPECT_DOUBLE_EQ(t.validation.coverage, 0.0);
  EXPECT_DOUBLE_EQ(t.validation.risk, 0.0);
  EXPECT_EQ(apply_selective_threshold({1e30f, 0.5f}, {true, true}, t.threshold).accepted, 0);
  EXPECT_FALSE(choose_selective_threshold({}, {}, 0.5).feasible);
}

TEST(Selective, ApplyingAThresholdToTheTestSplit) {
  // Accepted: 0.95, 0.5 and 0.3 (a score equal to the threshold is accepted); 0.5 is wrong.
  std::vector<float> scores = {0.95f, 0.5f, 0.3f, 0.29f, 0.1f};
  std::vector<bool> correct = {true, false, true, true, false};
  SelectiveOutcome o = apply_selective_threshold(scores, correct, 0.3f);
  EXPECT_EQ(o.total, 5);
  EXPECT_EQ(o.accepted, 3);
  EXPECT_DOUBLE_EQ(o.coverage, 0.6);
  EXPECT_DOUBLE_EQ(o.risk, 1.0 / 3);
}

TEST(Selective, RejectsNonFiniteScoresAndBadArguments) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(risk_coverage_curve({0.5f, nan}, {true, true}), std::invalid_argument);
  EXPECT_THROW(choose_selective_threshold({nan}, {true}, 0.1), std::invalid_argument);
  EXPECT_THROW(apply_selective_threshold({0.5f, -std::numeric_limits<float>::infinity()}, {true, true}, 0.1),
               std::invalid_argument);
  EXPECT_THROW(apply_selective_threshold({0.5f}, {true}, std::nan("")), std::invalid_argument);
  EXPECT_THROW(choose_selective_threshold({0.5f}, {true}, 1.5), std::invalid_argument);
  EXPECT_THROW(risk_coverage_curve({0.5f}, {true, false}), std::invalid_argument);
}

TEST(OodDetection, FprAt95TprAndAurocByHand) {
  // In-distribution scores 1..20: keeping 95 % (19 of 20) needs threshold 2. OOD images at or above
  // 2: {2, 2.5, 3, 25} = 4 of 10 (the one equal to the threshold counts: it would be accepted).
  std::vector<float> in;
  for (int v = 1; v <= 20; ++v) in.push_back(static_cast<float>(v));
  std::vector<float> out = {0.5f, 1.5f, 2.0f, 2.5f, 3.0f, 25.0f, -1.0f, -2.0f, 1.0f, 1.9f};
  OodDetection d = ood_detection(in, out);
  EXPECT_DOUBLE_EQ(d.threshold_at_95_tpr, 2.0);
  EXPECT_DOUBLE_EQ(d.fpr_at_95_tpr, 0.4);
  // AUROC: per OOD image, in-distribution scores above it (+ half the equal ones), over 20 x 10:
  // 20 + 19 + 18.5 + 18 + 17.5 + 0 + 20 + 20 + 19.5 + 19 = 171.5 -> 0.8575.
  EXPECT_DOUBLE_EQ(d.auroc, 171.5 / 200);
}

TEST(OodDetection, PerfectAndReversedSeparation) {
  OodDetection perfect = ood_detection({5, 6, 7}, {1, 2});
  EXPECT_DOUBLE_EQ(perfect.auroc, 1.0);
  EXPECT_DOUBLE_EQ(perfect.fpr_at_95_tpr, 0.0);
  OodDetection reversed = ood_detection({1, 2}, {5, 6, 7});
  EXPECT_DOUBLE_EQ(reversed.auroc, 0.0);
  EXPECT_DOUBLE_EQ(reversed.fpr_at_95_tpr, 1.0);
  // 100 in-distribution scores 1..100: the 95th highest is 6, so OOD at 5.9 is flagged, 6 is not.
  std::vector<float> in;
  for (int v = 1; v <= 100; ++v) in.push_back(static_cast<float>(v));
  OodDetection d = ood_detection(in, {5.9f, 6.0f});
  EXPECT_DOUBLE_EQ(d.threshold_at_95_tpr, 6.0);
  EXPECT_DOUBLE_EQ(d.fpr_at_95_tpr, 0.5);
}

TEST(OodDetection, RejectsNonFiniteScoresAndEmptySets) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(ood_detection({1, 2}, {nan}), std::invalid_argument);
  EXPECT_THROW(ood_detection({nan, 2}, {1}), std::invalid_argument);
  EXPECT_THROW(ood_detection({1, 2}, {}), std::invalid_argument);
  EXPECT_THROW(ood_detection({}, {1}), std::invalid_argument);
}

}  // namespace
}  // namespace leuko
