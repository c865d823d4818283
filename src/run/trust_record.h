#pragma once
// RUN/trust.json: what `calibrate` fitted so that `predict` can say when not to trust a cell —
//   the temperature that calibrates the softmax (fitted on the validation split);
//   the confidence threshold: the lowest calibrated top-class probability still accepted, chosen on
//     the validation split as the one that accepts the most cells while their error stays at or
//     below `max_error` (selective classification);
//   the distance threshold: the Mahalanobis score (penultimate features, class means and a shared
//     covariance fitted on the training split, in RUN/feature-density.safetensors) below which a
//     cell is unlike the training data, set to keep `in_distribution_kept` of the validation cells.
// A cell is flagged for review when either score falls below its threshold.
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace leuko {

class JsonReader;

struct TrustRecord {
  double temperature = 1;
  double max_error = 0.01;
  double confidence_threshold = 0;
  bool confidence_feasible = true;  // false: no threshold met max_error on validation: every cell is flagged
  double validation_coverage = 0, validation_error = 0;
  int64_t validation_images = 0;
  double distance_threshold = 0;
  double in_distribution_kept = 0.95;
  int64_t feature_dim = 0, training_images = 0;
  double shrinkage = 0;  // Ledoit-Wolf weight of the identity in the shared covariance
  std::string weights_sha256;  // of the best.safetensors fitted to ("" in files written before 2026-12-07)
};

nlohmann::json to_json(const TrustRecord& t);
TrustRecord trust_record_from_json(const JsonReader& j);

}  // namespace leuko
