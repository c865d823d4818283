#include "eval/selective.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "eval/metrics.h"

namespace leuko {

namespace {

void require_finite(const std::vector<float>& scores, const std::string& what) {
  if (!std::all_of(scores.begin(), scores.end(), [](float v) { return std::isfinite(v); }))
    throw std::invalid_argument(what + ": non-finite score (NaN or infinity)");
}

void require_scored(const std::vector<float>& scores, const std::vector<bool>& correct) {
  if (scores.size() != correct.size())
    throw std::invalid_argument("selective classification: scores and correctness differ in length");
  require_finite(scores, "selective classification");
}

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

}  // namespace

std::vector<RiskCoveragePoint> risk_coverage_curve(const std::vector<float>& scores, const std::vector<bool>& correct) {
  require_scored(scores, correct);
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  const double n = static_cast<double>(scores.size());
  std::vector<RiskCoveragePoint> curve;
  double wrong = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    if (!correct[order[i]]) wrong += 1;
    // A tie is accepted as a whole: one point after its last member.
    if (i + 1 < order.size() && scores[order[i + 1]] == scores[order[i]]) continue;
    const double accepted = static_cast<double>(i + 1);
    curve.push_back({scores[order[i]], accepted / n, wrong / accepted});
  }
  return curve;
}

double area_under_risk_coverage(const std::vector<RiskCoveragePoint>& curve) {
  double area = 0, previous_coverage = 0;
  for (const RiskCoveragePoint& p : curve) {
    area += p.risk * (p.coverage - previous_coverage);
    previous_coverage = p.coverage;
  }
  return area;
}

SelectiveThreshold choose_selective_threshold(const std::vector<float>& scores, const std::vector<bool>& correct,
                                              double max_error) {
  if (!(max_error >= 0 && max_error <= 1))
    throw std::invalid_argument("selective classification: the target error must lie in [0, 1]");
  SelectiveThreshold chosen;
  chosen.threshold = std::numeric_limits<double>::infinity();
  // Coverage grows along the curve, so the last feasible point has the largest coverage.
  for (const RiskCoveragePoint& p : risk_coverage_curve(scores, correct))
    if (p.risk <= max_error) {
      chosen.threshold = p.threshold;
      chosen.feasible = true;
    }
  chosen.validation = apply_selective_threshold(scores, correct, chosen.threshold);
  return chosen;
}

SelectiveOutcome apply_selective_threshold(const std::vector<float>& scores, const std::vector<bool>& correct,
                                           double threshold) {
  require_scored(scores, correct);
  if (std::isnan(threshold)) throw std::invalid_argument("selective classification: the threshold is NaN");
  SelectiveOutcome out;
  out.total = static_cast<long>(scores.size());
  long wrong = 0;
  for (size_t i = 0; i < scores.size(); ++i)
    if (scores[i] >= threshold) {
      ++out.accepted;
      if (!correct[i]) ++wrong;
    }
  out.coverage = ratio(static_cast<double>(out.accepted), static_cast<double>(out.total));
  out.risk = ratio(static_cast<double>(wrong), static_cast<double>(out.accepted));
  return out;
}

OodDetection ood_detection(const std::vector<float>& in_distribution, const std::vector<float>& out_of_distribution) {
  if (in_distribution.empty() || out_of_distribution.empty())
    throw std::invalid_argument("OOD detection: needs both in-distribution and out-of-distribution images");
  require_finite(in_distribution, "OOD detection (in-distribution)");
  require_finite(out_of_distribution, "OOD detection (out-of-distribution)");

  std::vector<float> scores = in_distribution;
  scores.insert(scores.end(), out_of_distribution.begin(), out_of_distribution.end());
  std::vector<bool> positive(scores.size(), false);
  std::fill_n(positive.begin(), in_distribution.size(), true);
  OodDetection out;
  out.auroc = binary_auroc(scores, positive);

  // The k-th highest in-distribution score, k = ceil(0.95 n) in integers (0.95 * n in floating
  // point can land just above an integer and add one).
  std::vector<float> sorted = in_distribution;
  std::sort(sorted.begin(), sorted.end(), std::greater<float>());
  const size_t k = (95 * sorted.size() + 99) / 100;
  out.threshold_at_95_tpr = sorted[k - 1];
  const auto still_accepted = std::count_if(out_of_distribution.begin(), out_of_distribution.end(),
                                            [&](float s) { return s >= out.threshold_at_95_tpr; });
  out.fpr_at_95_tpr = static_cast<double>(still_accepted) / static_cast<double>(out_of_distribution.size());
  return out;
}

}  // namespace leuko
