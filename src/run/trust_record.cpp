#include "run/trust_record.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "common/json_reader.h"

namespace leuko {

nlohmann::json to_json(const TrustRecord& t) {
  // An infeasible confidence threshold is +infinity, which JSON cannot hold: written as null.
  nlohmann::json threshold = std::isfinite(t.confidence_threshold) ? nlohmann::json(t.confidence_threshold) : nullptr;
  return {{"temperature", t.temperature},
          {"max_error", t.max_error},
          {"confidence_threshold", threshold},
          {"confidence_feasible", t.confidence_feasible},
          {"validation_coverage", t.validation_coverage},
          {"validation_error", t.validation_error},
          {"validation_images", t.validation_images},
          {"distance_threshold", t.distance_threshold},
          {"in_distribution_kept", t.in_distribution_kept},
          {"feature_dim", t.feature_dim},
          {"training_images", t.training_images},
          {"shrinkage", t.shrinkage},
          {"weights_sha256", t.weights_sha256}};
}

TrustRecord trust_record_from_json(const JsonReader& j) {
  TrustRecord t;
  t.temperature = j.get<double>("temperature");
  if (!(t.temperature > 0)) throw UserError(j.where("temperature") + ": must be positive");
  t.max_error = j.get<double>("max_error");
  t.confidence_feasible = j.get<bool>("confidence_feasible");
  t.confidence_threshold = t.confidence_feasible ? j.get<double>("confidence_threshold") : INFINITY;
  t.validation_coverage = j.get<double>("validation_coverage");
  t.validation_error = j.get<double>("validation_error");
  t.validation_images = j.get<int64_t>("validation_images");
  t.distance_threshold = j.get<double>("distance_threshold");
  t.in_distribution_kept = j.get<double>("in_distribution_kept");
  t.feature_dim = j.get<int64_t>("feature_dim");
  t.training_images = j.get<int64_t>("training_images");
  t.shrinkage = j.get<double>("shrinkage");
  t.weights_sha256 = j.get_or<std::string>("weights_sha256", "");
  return t;
}

}  // namespace leuko
