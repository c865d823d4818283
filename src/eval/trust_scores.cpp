#include "eval/trust_scores.h"

#include "eval/calibration.h"
#include "eval/uncertainty.h"

namespace leuko {

TrustScores trust_scores(const std::vector<float>& logits, const std::vector<float>& features, int k,
                         const TrustRecord& trust, const FeatureDensity& density) {
  TrustScores s;
  s.probs = softmax_rows(logits, k, trust.temperature);
  s.confidence = max_softmax_probability(logits, k, trust.temperature);
  s.margin = softmax_margin(logits, k, trust.temperature);
  s.energy = negative_energy(logits, k, trust.temperature);
  s.distance = mahalanobis_scores(density, features);
  return s;
}

bool low_confidence(double confidence, const TrustRecord& trust) {
  return !trust.confidence_feasible || confidence < trust.confidence_threshold;
}

bool unlike_training_data(double distance, const TrustRecord& trust) { return distance < trust.distance_threshold; }

}  // namespace leuko
