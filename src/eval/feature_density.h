#pragma once
// Feature-space confidence: Mahalanobis distance of an image's penultimate-layer features to the
// nearest class (Lee et al., "A Simple Unified Framework for Detecting Out-of-Distribution Samples
// and Adversarial Attacks", NeurIPS 2018): class-conditional Gaussians with one shared (tied)
// covariance, fitted on the training split.
//
// Score = -min over classes of the squared Mahalanobis distance (x - mu_c)' P (x - mu_c), so that,
// like every score in eval/, HIGHER = MORE IN-DISTRIBUTION and images are flagged when
// score < threshold.
//
// Shrinkage. With D = 256-2048 features and ~2,000 training images the pooled sample covariance S
// has rank <= n - classes and is often singular or badly conditioned, so it is shrunk:
//   Sigma = (1 - lambda) S + lambda * mu * I,   mu = trace(S) / D
// (Ledoit & Wolf, "A well-conditioned estimator for large-dimensional covariance matrices",
// J. Multivariate Anal. 2004; the same estimator as scikit-learn's LedoitWolf). The target is the
// scaled identity rather than diag(S) because it stays positive definite for any lambda > 0 even
// when some features never vary on the training split (dead ReLU channels are common in pooled
// CNN features), which diag(S) does not; and lambda comes from the Ledoit-Wolf closed form, which
// minimises the expected Frobenius error, so no tuning knob is needed. A fixed lambda in [0, 1] can
// be given instead (0 = the plain sample covariance, only when n - classes >= D).
//
// Linear algebra with OpenCV in float64 throughout; the precision matrix P = Sigma^-1 by Cholesky.
// The struct is plain data (flat row-major doubles plus dimensions) so that the caller can store it
// as tensors (a 2048 x 2048 precision is 32 MB: too big for JSON).
#include <vector>

namespace leuko {

struct FeatureDensity {
  int dim = 0;                    // D, features per image
  int classes = 0;                // K
  std::vector<double> means;      // K x D, row-major: class means of the training features
  std::vector<double> precision;  // D x D, row-major, symmetric: inverse of the shrunk tied covariance
  double shrinkage = 0;           // the lambda used, in [0, 1]
};

// Pass as `shrinkage` to fit_feature_density to let Ledoit-Wolf choose lambda.
constexpr double kLedoitWolfShrinkage = -1.0;

// Fits class means and the shrunk pooled within-class covariance (divided by n, the maximum-
// likelihood estimate as in Lee et al.) on `features` (row-major n x dim floats) with labels in
// [0, num_classes). Throws std::invalid_argument for mismatched sizes, a label out of range, a
// class without images, non-finite features, a shrinkage outside [0, 1] (other than
// kLedoitWolfShrinkage), lambda = 0 with n - classes < dim, or features that never vary at all;
// std::runtime_error if the shrunk covariance is still not positive definite.
FeatureDensity fit_feature_density(const std::vector<float>& features, const std::vector<int>& labels,
                                   int num_classes, int dim, double shrinkage = kLedoitWolfShrinkage);

// The Ledoit-Wolf lambda for the rows of `centered` (n x dim, each row minus its class mean).
double ledoit_wolf_shrinkage(const std::vector<double>& centered, int dim);

// Squared Mahalanobis distance of each image (row-major n x dim floats) to each class mean:
// row-major n x classes. Throws std::invalid_argument on mismatched sizes or non-finite features.
std::vector<double> squared_mahalanobis_distances(const FeatureDensity& density, const std::vector<float>& features);

// -min over classes of the squared Mahalanobis distance, one per image (higher = more in-distribution).
std::vector<float> mahalanobis_scores(const FeatureDensity& density, const std::vector<float>& features);

}  // namespace leuko
