// Every metric against values computed by hand on small fixed confusion matrices, including a
// class never predicted and a class with no samples.
#include <gtest/gtest.h>

#include <limits>

#include <cmath>

#include "eval/metrics.h"
#include "eval/statistics.h"

namespace leuko {
namespace {

// Expands a confusion matrix [true][pred] into label/prediction lists.
void expand(const std::vector<std::vector<int>>& cm, std::vector<int>& y, std::vector<int>& p) {
  for (size_t t = 0; t < cm.size(); ++t)
    for (size_t q = 0; q < cm[t].size(); ++q)
      for (int n = 0; n < cm[t][q]; ++n) {
        y.push_back(static_cast<int>(t));
        p.push_back(static_cast<int>(q));
      }
}

TEST(Metrics, BinaryByHand) {
  // true ALL: 40 right, 10 called HEM; true HEM: 5 called ALL, 45 right.
  std::vector<int> y, p;
  expand({{40, 10}, {5, 45}}, y, p);
  Metrics m = metrics_from_predictions(y, p, 2);
  EXPECT_DOUBLE_EQ(m.accuracy, 85.0 / 100);
  EXPECT_DOUBLE_EQ(m.per_class[0].precision, 40.0 / 45);
  EXPECT_DOUBLE_EQ(m.per_class[0].recall, 40.0 / 50);
  EXPECT_DOUBLE_EQ(m.per_class[0].specificity, 45.0 / 50);
  EXPECT_DOUBLE_EQ(m.per_class[0].f1, 80.0 / 95);
  EXPECT_DOUBLE_EQ(m.per_class[1].precision, 45.0 / 55);
  EXPECT_DOUBLE_EQ(m.per_class[1].f1, 90.0 / 105);
  EXPECT_DOUBLE_EQ(m.f1_macro, (80.0 / 95 + 90.0 / 105) / 2);
  EXPECT_DOUBLE_EQ(m.f1_weighted, (80.0 / 95 * 50 + 90.0 / 105 * 50) / 100);
  EXPECT_DOUBLE_EQ(m.balanced_accuracy, (0.8 + 0.9) / 2);
  EXPECT_EQ(m.confusion[0][1], 10);
}

TEST(Metrics, ClassNeverPredictedAndClassWithNoSamples) {
  // 4 classes; class 2 has samples but is never predicted; class 3 has no samples but is
  // predicted once (a false positive).
  std::vector<int> y, p;
  expand({{5, 1, 0, 0}, {0, 3, 0, 1}, {2, 2, 0, 0}, {0, 0, 0, 0}}, y, p);
  Metrics m = metrics_from_predictions(y, p, 4);
  EXPECT_EQ(m.n, 14);
  EXPECT_DOUBLE_EQ(m.per_class[2].precision, 0.0);  // 0/0 -> 0
  EXPECT_DOUBLE_EQ(m.per_class[2].recall, 0.0);
  EXPECT_DOUBLE_EQ(m.per_class[2].f1, 0.0);
  EXPECT_EQ(m.per_class[3].support, 0);
  EXPECT_DOUBLE_EQ(m.per_class[3].precision, 0.0);  // 0/1
  EXPECT_DOUBLE_EQ(m.per_class[3].recall, 0.0);     // 0/0 -> 0
  // macro averages over the three classes with samples
  double p0 = 5.0 / 7, p1 = 3.0 / 6, r0 = 5.0 / 6, r1 = 3.0 / 4;
  EXPECT_DOUBLE_EQ(m.precision_macro, (p0 + p1 + 0) / 3);
  EXPECT_DOUBLE_EQ(m.recall_macro, (r0 + r1 + 0) / 3);
  double f0 = 10.0 / 13, f1 = 6.0 / 10;
  EXPECT_DOUBLE_EQ(m.f1_macro, (f0 + f1) / 3);
  EXPECT_DOUBLE_EQ(m.f1_weighted, (f0 * 6 + f1 * 4) / 14);
  for (double v : {m.accuracy, m.precision_macro, m.recall_macro, m.f1_macro, m.f1_weighted, m.specificity_macro})
    EXPECT_FALSE(std::isnan(v));
}

TEST(Metrics, AurocByHandWithTies) {
  // positives 0.9, 0.6, 0.4; negatives 0.6, 0.3: pairs (pos > neg) = 0.9>both (2), 0.6>0.3 (1),
  // 0.6=0.6 (0.5), 0.4>0.3 (1) -> 4.5 / 6
  EXPECT_DOUBLE_EQ(binary_auroc({0.9f, 0.6f, 0.4f, 0.6f, 0.3f}, {true, true, true, false, false}), 4.5 / 6);
  EXPECT_DOUBLE_EQ(binary_auroc({0.1f, 0.2f}, {true, true}), 0.5);
  // NaN scores (a diverged model) rank lowest, tie with each other, and end: no hang.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_DOUBLE_EQ(binary_auroc({nan, 0.7f, nan, 0.2f}, {false, true, true, false}), 2.5 / 4);
  EXPECT_DOUBLE_EQ(binary_auroc({nan, nan}, {true, false}), 0.5);
  // Perfect separation through compute_metrics
  Metrics m = compute_metrics({0, 0, 1, 1}, {0.9f, 0.1f, 0.8f, 0.2f, 0.3f, 0.7f, 0.4f, 0.6f}, 2);
  EXPECT_DOUBLE_EQ(m.auroc_macro, 1.0);
  EXPECT_DOUBLE_EQ(m.accuracy, 1.0);
}

TEST(Statistics, McNemarExact) {
  std::vector<int> y(30, 0), a(30, 0), b(30, 0);
  for (int i = 0; i < 8; ++i) b[i] = 1;        // 8 only-A-right
  for (int i = 8; i < 10; ++i) a[i] = 1;       // 2 only-B-right
  McNemar r = mcnemar_exact(y, a, b);
  EXPECT_EQ(r.only_a_right, 8);
  EXPECT_EQ(r.only_b_right, 2);
  EXPECT_EQ(r.both_right, 20);
  // 2 * P(X <= 2 | n=10, p=1/2) = 2 * (1 + 10 + 45) / 1024
  EXPECT_NEAR(r.p_value, 2.0 * 56 / 1024, 1e-12);
  EXPECT_DOUBLE_EQ(binomial_two_sided_p(5, 10), 1.0);
  EXPECT_DOUBLE_EQ(binomial_two_sided_p(0, 0), 1.0);
}

TEST(Statistics, BootstrapIntervalContainsTheEstimateAndWidensWithGrouping) {
  std::vector<int> y;
  std::vector<float> probs;
  std::vector<std::string> patients;
  // 20 patients x 10 images; a patient is either all right or all wrong (correlated errors).
  for (int pt = 0; pt < 20; ++pt)
    for (int i = 0; i < 10; ++i) {
      int label = pt % 2;
      bool right = pt % 5 != 0;
      y.push_back(label);
      float p1 = (label == 1) == right ? 0.8f : 0.2f;
      probs.push_back(1 - p1);
      probs.push_back(p1);
      patients.push_back("P" + std::to_string(pt));
    }
  Metrics m = compute_metrics(y, probs, 2);
  auto by_image = bootstrap_ci(y, probs, 2, {}, 1000, 1);
  auto by_patient = bootstrap_ci(y, probs, 2, patients, 1000, 1);
  EXPECT_LE(by_image["accuracy"].lo, m.accuracy);
  EXPECT_GE(by_image["accuracy"].hi, m.accuracy);
  double w_img = by_image["accuracy"].hi - by_image["accuracy"].lo;
  double w_pat = by_patient["accuracy"].hi - by_patient["accuracy"].lo;
  EXPECT_GT(w_pat, 1.5 * w_img);  // cells of one patient are not independent evidence
  EXPECT_EQ(by_image.size(), kScalarMetrics.size());
}

TEST(Statistics, PatientAggregationAveragesProbabilities) {
  auto agg = aggregate_by_patient({1, 1, 0}, {0.2f, 0.8f, 0.6f, 0.4f, 0.9f, 0.1f}, 2, {"A", "A", "B"});
  ASSERT_EQ(agg.patients, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(agg.labels, (std::vector<int>{1, 0}));
  EXPECT_FLOAT_EQ(agg.probs[1], 0.6f);  // mean of 0.8 and 0.4
}

}  // namespace
}  // namespace leuko
