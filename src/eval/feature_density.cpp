#include "eval/feature_density.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>

namespace leuko {

namespace {

// Row-major n x dim floats as a float64 matrix (copied: OpenCV cannot compute in double on floats).
cv::Mat feature_matrix(const std::vector<float>& features, int dim, const char* what) {
  if (dim <= 0 || features.size() % static_cast<size_t>(dim) != 0)
    throw std::invalid_argument(std::string(what) + ": features are not rows of " + std::to_string(dim) + " values");
  if (!std::all_of(features.begin(), features.end(), [](float v) { return std::isfinite(v); }))
    throw std::invalid_argument(std::string(what) + ": non-finite feature (NaN or infinity)");
  const int n = static_cast<int>(features.size() / static_cast<size_t>(dim));
  cv::Mat as_float(n, dim, CV_32F, const_cast<float*>(features.data()));
  cv::Mat out;
  as_float.convertTo(out, CV_64F);
  return out;
}

// Class means (K x dim); throws for a label out of range or a class without images.
cv::Mat class_means(const cv::Mat& x, const std::vector<int>& labels, int num_classes) {
  cv::Mat sums = cv::Mat::zeros(num_classes, x.cols, CV_64F);
  std::vector<int> counts(static_cast<size_t>(num_classes), 0);
  for (int i = 0; i < x.rows; ++i) {
    const int c = labels[static_cast<size_t>(i)];
    if (c < 0 || c >= num_classes) throw std::invalid_argument("feature density: label outside [0, classes)");
    sums.row(c) += x.row(i);
    ++counts[static_cast<size_t>(c)];
  }
  for (int c = 0; c < num_classes; ++c) {
    if (counts[static_cast<size_t>(c)] == 0)
      throw std::invalid_argument("feature density: class " + std::to_string(c) + " has no training images");
    sums.row(c) /= counts[static_cast<size_t>(c)];
  }
  return sums;
}

// The Ledoit-Wolf (2004) intensity, given the centred rows and their covariance S = X'X / n:
// lambda = min(beta, delta) / delta with delta = ||S - mu I||^2 / D (how far S is from the target)
// and beta = (sum_k ||x_k||^4 / n - ||S||^2) / (n D) (how noisy S is as an estimate).
double ledoit_wolf_from_covariance(const cv::Mat& centered, const cv::Mat& covariance) {
  const double n = centered.rows, d = centered.cols;
  const double mu = cv::trace(covariance)[0] / d;
  const double delta = cv::norm(covariance - mu * cv::Mat::eye(covariance.size(), CV_64F), cv::NORM_L2SQR) / d;
  if (delta <= 0) return 0.0;  // S is already the target: nothing to shrink
  cv::Mat squared_norms;
  cv::reduce(centered.mul(centered), squared_norms, 1, cv::REDUCE_SUM);
  const double fourth_moment = squared_norms.dot(squared_norms) / n;
  const double beta = (fourth_moment - cv::norm(covariance, cv::NORM_L2SQR)) / (n * d);
  return std::clamp(beta, 0.0, delta) / delta;
}

void require_valid_density(const FeatureDensity& density) {
  if (density.dim <= 0 || density.classes <= 0 ||
      density.means.size() != static_cast<size_t>(density.classes) * static_cast<size_t>(density.dim) ||
      density.precision.size() != static_cast<size_t>(density.dim) * static_cast<size_t>(density.dim))
    throw std::invalid_argument("feature density: means or precision do not match dim and classes");
}

std::vector<double> flat(const cv::Mat& m) {
  cv::Mat continuous = m.isContinuous() ? m : m.clone();
  return std::vector<double>(continuous.ptr<double>(), continuous.ptr<double>() + continuous.total());
}

}  // namespace

double ledoit_wolf_shrinkage(const std::vector<double>& centered, int dim) {
  if (dim <= 0 || centered.empty() || centered.size() % static_cast<size_t>(dim) != 0)
    throw std::invalid_argument("Ledoit-Wolf: the centred features are not rows of " + std::to_string(dim));
  const int n = static_cast<int>(centered.size() / static_cast<size_t>(dim));
  cv::Mat x(n, dim, CV_64F, const_cast<double*>(centered.data()));
  cv::Mat covariance;
  cv::mulTransposed(x, covariance, true);
  return ledoit_wolf_from_covariance(x, covariance / n);
}

FeatureDensity fit_feature_density(const std::vector<float>& features, const std::vector<int>& labels,
                                   int num_classes, int dim, double shrinkage) {
  cv::Mat x = feature_matrix(features, dim, "feature density");
  if (num_classes <= 0 || x.rows == 0 || static_cast<size_t>(x.rows) != labels.size())
    throw std::invalid_argument("feature density: needs one label per feature row and at least one class");
  if (shrinkage != kLedoitWolfShrinkage && !(shrinkage >= 0 && shrinkage <= 1))
    throw std::invalid_argument("feature density: shrinkage must lie in [0, 1]");
  if (shrinkage == 0 && x.rows - num_classes < dim)
    throw std::invalid_argument("feature density: without shrinkage the covariance of " + std::to_string(x.rows) +
                                " images in " + std::to_string(dim) + " dimensions is singular");

  const cv::Mat means = class_means(x, labels, num_classes);
  cv::Mat centered = x.clone();
  for (int i = 0; i < x.rows; ++i) centered.row(i) -= means.row(labels[static_cast<size_t>(i)]);
  cv::Mat covariance;
  cv::mulTransposed(centered, covariance, true);
  covariance /= x.rows;

  const double mu = cv::trace(covariance)[0] / dim;
  if (!(mu > 0)) throw std::invalid_argument("feature density: the features never vary within a class");
  const double lambda = shrinkage == kLedoitWolfShrinkage ? ledoit_wolf_from_covariance(centered, covariance) : shrinkage;
  const cv::Mat shrunk = (1 - lambda) * covariance + lambda * mu * cv::Mat::eye(dim, dim, CV_64F);

  cv::Mat precision;
  if (!cv::invert(shrunk, precision, cv::DECOMP_CHOLESKY) || !cv::checkRange(precision))
    throw std::runtime_error("feature density: the shrunk covariance is not positive definite; give a larger shrinkage");
  precision = (precision + precision.t()) / 2;  // exactly symmetric, whatever the rounding
  return FeatureDensity{dim, num_classes, flat(means), flat(precision), lambda};
}

std::vector<double> squared_mahalanobis_distances(const FeatureDensity& density, const std::vector<float>& features) {
  require_valid_density(density);
  const cv::Mat x = feature_matrix(features, density.dim, "Mahalanobis distance");
  const cv::Mat means(density.classes, density.dim, CV_64F, const_cast<double*>(density.means.data()));
  const cv::Mat precision(density.dim, density.dim, CV_64F, const_cast<double*>(density.precision.data()));
  cv::Mat distances(x.rows, density.classes, CV_64F);
  if (x.rows == 0) return {};
  for (int c = 0; c < density.classes; ++c) {
    // Directly (x - mu)' P (x - mu) rather than expanding x'Px - 2 mu'Px + mu'P mu, which cancels
    // catastrophically for the near points that matter most.
    const cv::Mat offset = x - cv::repeat(means.row(c), x.rows, 1);
    cv::Mat per_image;
    cv::reduce((offset * precision).mul(offset), per_image, 1, cv::REDUCE_SUM);
    per_image.copyTo(distances.col(c));
  }
  return flat(distances);
}

std::vector<float> mahalanobis_scores(const FeatureDensity& density, const std::vector<float>& features) {
  const std::vector<double> distances = squared_mahalanobis_distances(density, features);
  const size_t k = static_cast<size_t>(density.classes);
  std::vector<float> scores(distances.size() / k);
  for (size_t i = 0; i < scores.size(); ++i)
    scores[i] = static_cast<float>(-*std::min_element(distances.begin() + static_cast<long>(i * k),
                                                      distances.begin() + static_cast<long>((i + 1) * k)));
  return scores;
}

}  // namespace leuko
