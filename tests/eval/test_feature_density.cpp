// Mahalanobis feature density on point sets whose covariance is known exactly, and on random
// high-dimensional features where the sample covariance is singular.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include <opencv2/core.hpp>

#include "eval/feature_density.h"

namespace leuko {
namespace {

// Each class mean plus `offsets` (row-major pairs): the pooled within-class covariance is the mean
// of the offsets' outer products.
void add_class(const std::vector<double>& mean, const std::vector<std::vector<float>>& offsets, int label,
               std::vector<float>& features, std::vector<int>& labels) {
  for (const auto& o : offsets) {
    features.push_back(static_cast<float>(mean[0] + o[0]));
    features.push_back(static_cast<float>(mean[1] + o[1]));
    labels.push_back(label);
  }
}

// Classes at (0, 0) and (10, 0), offsets (+-1, +-1): covariance exactly the identity.
struct IsotropicSet {
  std::vector<float> features;
  std::vector<int> labels;
  IsotropicSet() {
    const std::vector<std::vector<float>> corners = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
    add_class({0, 0}, corners, 0, features, labels);
    add_class({10, 0}, corners, 1, features, labels);
  }
};

TEST(FeatureDensity, IdentityCovarianceGivesEuclideanDistance) {
  IsotropicSet s;
  FeatureDensity d = fit_feature_density(s.features, s.labels, 2, 2, 0.0);
  ASSERT_EQ(d.means.size(), 4u);
  EXPECT_NEAR(d.means[2], 10.0, 1e-12);  // row-major: class 1, feature 0
  ASSERT_EQ(d.precision.size(), 4u);
  EXPECT_NEAR(d.precision[0], 1.0, 1e-12);
  EXPECT_NEAR(d.precision[1], 0.0, 1e-12);
  EXPECT_NEAR(d.precision[3], 1.0, 1e-12);
  // (3, 4): 3^2 + 4^2 = 25 to class 0, 7^2 + 4^2 = 65 to class 1; score -25.
  auto dist = squared_mahalanobis_distances(d, {3, 4});
  EXPECT_NEAR(dist[0], 25.0, 1e-9);
  EXPECT_NEAR(dist[1], 65.0, 1e-9);
  EXPECT_NEAR(mahalanobis_scores(d, {3, 4})[0], -25.0, 1e-5);
  // Ledoit-Wolf finds nothing to shrink: S already equals its target mu I.
  EXPECT_DOUBLE_EQ(fit_feature_density(s.features, s.labels, 2, 2).shrinkage, 0.0);
}

TEST(FeatureDensity, NearerClassInMahalanobisTermsWins) {
  // Offsets (+-4, +-1): covariance diag(16, 1). Classes at (0, 0) and (6, 2). The point (0, 2) is
  // Euclidean-nearer class 0 (4 vs 36) but Mahalanobis-nearer class 1 (4/1 = 4 vs 36/16 = 2.25).
  std::vector<float> features;
  std::vector<int> labels;
  const std::vector<std::vector<float>> corners = {{4, 1}, {4, -1}, {-4, 1}, {-4, -1}};
  add_class({0, 0}, corners, 0, features, labels);
  add_class({6, 2}, corners, 1, features, labels);
  FeatureDensity d = fit_feature_density(features, labels, 2, 2, 0.0);
  auto dist = squared_mahalanobis_distances(d, {0, 2});
  EXPECT_NEAR(dist[0], 4.0, 1e-9);
  EXPECT_NEAR(dist[1], 2.25, 1e-9);
  EXPECT_NEAR(mahalanobis_scores(d, {0, 2})[0], -2.25, 1e-6);
}

TEST(FeatureDensity, FarPointScoresFarBelowTrainingPoints) {
  IsotropicSet s;
  FeatureDensity d = fit_feature_density(s.features, s.labels, 2, 2, 0.0);
  // Every training point is at squared distance 2 from its own mean.
  for (float score : mahalanobis_scores(d, s.features)) EXPECT_NEAR(score, -2.0, 1e-5);
  // (100, 100): nearest is class 1, 90^2 + 100^2 = 18100.
  EXPECT_NEAR(mahalanobis_scores(d, {100, 100})[0], -18100.0, 1e-2);
}

TEST(FeatureDensity, LedoitWolfShrinkageByHand) {
  // Centred rows (+-2, 0), (0, +-1), n = 4, D = 2: S = diag(2, 0.5), mu = 1.25,
  // delta = ||S - mu I||^2 / D = (0.75^2 + 0.75^2) / 2 = 0.5625,
  // beta = (sum ||x||^4 / n - ||S||^2) / (n D) = ((16 + 16 + 1 + 1) / 4 - 4.25) / 8 = 0.53125,
  // lambda = beta / delta = 17/18.
  std::vector<double> centered = {2, 0, -2, 0, 0, 1, 0, -1};
  EXPECT_NEAR(ledoit_wolf_shrinkage(centered, 2), 17.0 / 18, 1e-12);
  // Fitted as one class: Sigma = (1/18) diag(2, 0.5) + (17/18) 1.25 I = diag(23.25, 21.75) / 18.
  std::vector<float> features(centered.begin(), centered.end());
  FeatureDensity d = fit_feature_density(features, {0, 0, 0, 0}, 1, 2);
  EXPECT_NEAR(d.shrinkage, 17.0 / 18, 1e-12);
  EXPECT_NEAR(d.precision[0], 18 / 23.25, 1e-12);
  EXPECT_NEAR(d.precision[3], 18 / 21.75, 1e-12);
  EXPECT_NEAR(d.precision[1], 0.0, 1e-12);
}

TEST(FeatureDensity, ShrinkageMakesASingularCovarianceInvertible) {
  // 12 images in 40 dimensions (the study's regime of D > n): the sample covariance has rank <= 10.
  const int n = 12, dim = 40;
  std::mt19937_64 rng(7);
  std::normal_distribution<float> g(0, 1);
  std::vector<float> features;
  std::vector<int> labels;
  for (int i = 0; i < n; ++i) {
    labels.push_back(i % 2);
    for (int j = 0; j < dim; ++j) features.push_back(g(rng) + (i % 2 ? 3.0f : 0.0f));
  }
  EXPECT_THROW(fit_feature_density(features, labels, 2, dim, 0.0), std::invalid_argument);
  FeatureDensity d = fit_feature_density(features, labels, 2, dim);
  EXPECT_GT(d.shrinkage, 0.0);
  EXPECT_LE(d.shrinkage, 1.0);
  // The precision is symmetric positive definite: all eigenvalues positive and finite.
  cv::Mat precision(dim, dim, CV_64F, d.precision.data()), eigenvalues;
  ASSERT_TRUE(cv::eigen(precision, eigenvalues));
  double lo = 0, hi = 0;
  cv::minMaxLoc(eigenvalues, &lo, &hi);
  EXPECT_GT(lo, 0.0);
  EXPECT_TRUE(std::isfinite(hi));
  // A point 10 standard deviations off in every feature scores below every training point.
  std::vector<float> far(static_cast<size_t>(dim), 10.0f);
  auto train = mahalanobis_scores(d, features);
  float far_score = mahalanobis_scores(d, far)[0];
  for (float s : train) EXPECT_LT(far_score, s);
}

TEST(FeatureDensity, RejectsBadInput) {
  IsotropicSet s;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(fit_feature_density(s.features, s.labels, 3, 2), std::invalid_argument);  // class 2 empty
  std::vector<int> bad_labels = s.labels;
  bad_labels[0] = 5;
  EXPECT_THROW(fit_feature_density(s.features, bad_labels, 2, 2), std::invalid_argument);
  std::vector<float> with_nan = s.features;
  with_nan[3] = nan;
  EXPECT_THROW(fit_feature_density(with_nan, s.labels, 2, 2), std::invalid_argument);
  EXPECT_THROW(fit_feature_density(s.features, s.labels, 2, 2, 1.5), std::invalid_argument);
  FeatureDensity d = fit_feature_density(s.features, s.labels, 2, 2);
  EXPECT_THROW(mahalanobis_scores(d, {1, nan}), std::invalid_argument);
  EXPECT_THROW(mahalanobis_scores(d, {1, 2, 3}), std::invalid_argument);  // not rows of 2
  d.precision.pop_back();
  EXPECT_THROW(mahalanobis_scores(d, {1, 2}), std::invalid_argument);
  // Features that never vary within a class carry no density to fit.
  EXPECT_THROW(fit_feature_density({1, 1, 1, 1}, {0, 0}, 1, 2), std::invalid_argument);
}

}  // namespace
}  // namespace leuko
