#pragma once
// Selective classification and out-of-distribution (OOD) detection from per-image confidence
// scores (uncertainty.h, feature_density.h), all read as HIGHER = MORE TRUSTWORTHY: an image is
// accepted when score >= threshold and flagged for review when score < threshold.
//
// - Selective classification (Geifman & El-Yaniv, "Selective Classification for Deep Neural
//   Networks", NeurIPS 2017): choose on the validation split the threshold with the largest
//   coverage (accepted share) whose risk (error among the accepted) stays <= a target, then report
//   coverage and risk of that threshold on the test split. Risk-coverage curve and its area
//   (AURC; Geifman et al., "Bias-Reduced Uncertainty Estimation for Deep Neural Classifiers",
//   ICLR 2019) summarise a score over every threshold.
// - OOD detection: AUROC of in-distribution (positive) vs OOD, and FPR at 95 % TPR (the share of
//   OOD images still accepted by the threshold that keeps 95 % of in-distribution images), as in
//   Hendrycks & Gimpel 2017 and Liu et al. 2020.
//
// Conventions:
// - Tied scores cannot be separated by a threshold: they are accepted or flagged together, so the
//   candidate thresholds are the distinct score values, each one the lowest score it accepts.
// - Risk of an empty accepted set is 0 (nothing accepted, nothing wrong); coverage says it is empty.
// - Non-finite scores (NaN, +-infinity) are rejected with std::invalid_argument: a NaN compares
//   false with every threshold and would silently be flagged or mis-ranked (binary_auroc sorts
//   with <, which NaN breaks), and silently dropping it would change the denominators.
#include <vector>

namespace leuko {

// What a threshold does on one set of images.
struct SelectiveOutcome {
  long total = 0;        // images in the set
  long accepted = 0;     // images with score >= threshold
  double coverage = 0;   // accepted / total (0 for an empty set)
  double risk = 0;       // wrong among accepted / accepted (0 when none accepted)
};

// The threshold chosen on the validation split and how it did there.
struct SelectiveThreshold {
  double threshold = 0;  // accept when score >= threshold; +infinity when no threshold is feasible
  bool feasible = false; // false: no threshold meets the target, so nothing is accepted (coverage 0)
  SelectiveOutcome validation;
};

struct RiskCoveragePoint {
  double threshold = 0;  // the lowest score accepted at this point
  double coverage = 0, risk = 0;
};

// One point per distinct score, from the highest threshold (fewest accepted) to the lowest
// (everything accepted, coverage 1); coverage strictly increases along the curve. Empty input: empty curve.
std::vector<RiskCoveragePoint> risk_coverage_curve(const std::vector<float>& scores, const std::vector<bool>& correct);

// Area under the risk-coverage step curve: sum over points of risk x coverage gained at the point.
// Without ties this is the mean over k = 1..n of the risk of the k most confident images. Lower is
// better; 0 for an empty set.
double area_under_risk_coverage(const std::vector<RiskCoveragePoint>& curve);

// The lowest candidate threshold (largest coverage) whose validation risk is <= max_error (in
// [0, 1]). The risk is not monotone in the threshold, so every candidate is checked, not just the
// first that fails. None feasible (or no images): feasible = false, threshold = +infinity,
// nothing accepted.
SelectiveThreshold choose_selective_threshold(const std::vector<float>& scores, const std::vector<bool>& correct,
                                              double max_error);

// Coverage and risk of accepting score >= threshold on another set (the test split).
SelectiveOutcome apply_selective_threshold(const std::vector<float>& scores, const std::vector<bool>& correct,
                                           double threshold);

struct OodDetection {
  double auroc = 0.5;            // P(in-distribution score > OOD score), ties counting one half
  double fpr_at_95_tpr = 0;      // share of OOD images with score >= threshold_at_95_tpr
  double threshold_at_95_tpr = 0;  // highest threshold accepting >= 95 % of in-distribution images
};

// In-distribution images are the positives. Throws std::invalid_argument when either set is empty.
OodDetection ood_detection(const std::vector<float>& in_distribution, const std::vector<float>& out_of_distribution);

}  // namespace leuko
