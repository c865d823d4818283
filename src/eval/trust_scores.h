#pragma once
// The four trust scores of a cell from its logits and penultimate features, under a run's
// calibration (run/trust_record.h), and the review rule that reads two of them. One place, so
// `predict` flags exactly what `evaluate --trust` measures.
#include <vector>

#include "eval/feature_density.h"
#include "run/trust_record.h"

namespace leuko {

struct TrustScores {
  std::vector<float> probs;       // n x K calibrated probabilities (softmax at the run's temperature)
  std::vector<float> confidence;  // calibrated top-class probability
  std::vector<float> margin;      // top-1 minus top-2 calibrated probability
  std::vector<float> energy;      // negative energy at the run's temperature
  std::vector<float> distance;    // minus the squared Mahalanobis distance to the nearest class
};

TrustScores trust_scores(const std::vector<float>& logits, const std::vector<float>& features, int num_classes,
                         const TrustRecord& trust, const FeatureDensity& density);

// Low confidence (below the threshold chosen for the error target; every cell when none met it)
// or unlike the training data (distance below the threshold 95 % of validation cells exceed).
bool low_confidence(double confidence, const TrustRecord& trust);
bool unlike_training_data(double distance, const TrustRecord& trust);

}  // namespace leuko
