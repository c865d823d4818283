#include "eval/torch/trust_evaluation.h"

#include <algorithm>

#include <torch/torch.h>

#include "common/error.h"
#include "data/distort.h"
#include "data/prediction_inputs.h"
#include "eval/metrics.h"
#include "eval/selective.h"
#include "eval/torch/inference.h"
#include "eval/torch/trust_calibration.h"
#include "eval/trust_scores.h"

namespace leuko {

namespace {

struct Scored {
  Predictions predictions;
  TrustScores scores;
};

Scored score(ScoringSession& s, const std::vector<Sample>& samples, const LoaderOptions& lo, const TrustRecord& trust,
             const FeatureDensity& density) {
  BatchLoader loader(samples, lo);
  Scored out{predict(*s.trained.model, loader, s.device, s.trained.bf16, /*tta=*/false, /*features=*/true), {}};
  out.scores = trust_scores(out.predictions.logits, out.predictions.features,
                            static_cast<int>(s.trained.record.classes.size()), trust, density);
  return out;
}

double flagged_share(const TrustScores& s, const TrustRecord& trust) {
  size_t flagged = 0;
  for (size_t i = 0; i < s.confidence.size(); ++i)
    flagged += low_confidence(s.confidence[i], trust) || unlike_training_data(s.distance[i], trust);
  return s.confidence.empty() ? 0 : static_cast<double>(flagged) / static_cast<double>(s.confidence.size());
}

// At most ~100 points, always keeping the last (coverage 1): enough to draw, small in eval.json.
std::vector<std::pair<double, double>> thinned(const std::vector<RiskCoveragePoint>& curve) {
  std::vector<std::pair<double, double>> out;
  const size_t step = std::max<size_t>(1, curve.size() / 100);
  for (size_t i = 0; i < curve.size(); ++i)
    if (i % step == 0 || i + 1 == curve.size()) out.emplace_back(curve[i].coverage, curve[i].risk);
  return out;
}

}  // namespace

TrustEvaluation evaluate_trust(ScoringSession& s, const std::vector<Sample>& samples, const LoaderOptions& lo,
                               const std::vector<std::string>& ood_inputs, const ScoringOptions& scoring,
                               int distorted_severity) {
  const TrustRecord trust = current_trust(s.run, s.trained.weights_sha256, {s.run.path(), 0.01, scoring}, true);
  const FeatureDensity density = read_feature_density(s.run);
  const int k = static_cast<int>(s.trained.record.classes.size());

  const Scored in = score(s, samples, lo, trust, density);
  const auto predicted = argmax_rows(in.predictions.logits, k);
  std::vector<bool> correct(predicted.size());
  for (size_t i = 0; i < correct.size(); ++i) correct[i] = predicted[i] == in.predictions.labels[i];

  TrustEvaluation t;
  t.max_error = trust.max_error;
  t.feasible = trust.confidence_feasible;
  t.confidence_threshold = trust.confidence_threshold;
  if (trust.confidence_feasible) {
    const SelectiveOutcome at = apply_selective_threshold(in.scores.confidence, correct, trust.confidence_threshold);
    t.accepted = at.accepted;
    t.coverage = at.coverage;
    t.error = at.risk;
  }
  const auto curve = risk_coverage_curve(in.scores.confidence, correct);
  t.aurc = area_under_risk_coverage(curve);
  t.risk_coverage = thinned(curve);
  t.flagged_share = flagged_share(in.scores, trust);

  auto detection = [&](const TrustScores& out) {
    const std::vector<std::pair<const char*, std::vector<float> TrustScores::*>> scores = {
        {"confidence", &TrustScores::confidence}, {"margin", &TrustScores::margin},
        {"energy", &TrustScores::energy}, {"distance", &TrustScores::distance}};
    std::vector<OodRecord> rows;
    for (const auto& [name, field] : scores) {
      const OodDetection d = ood_detection(in.scores.*field, out.*field);
      rows.push_back({name, d.auroc, d.fpr_at_95_tpr});
    }
    return rows;
  };

  if (!ood_inputs.empty()) {
    Dataset ood = gather_prediction_inputs(ood_inputs);
    if (ood.samples.empty()) throw UserError("--ood: no image among the files given");
    LoaderOptions unseen = lo;
    unseen.skip_unreadable = true;
    const Scored out = score(s, ood.samples, unseen, trust, density);
    if (out.predictions.sample_index.empty()) throw UserError("--ood: no readable image among the files given");
    for (const std::string& d : ood_inputs) t.ood_data += (t.ood_data.empty() ? "" : " ") + d;
    t.ood_images = static_cast<int64_t>(out.predictions.sample_index.size());
    t.ood_flagged_share = flagged_share(out.scores, trust);
    t.ood = detection(out.scores);
  }
  if (distorted_severity > 0) {
    for (const std::string& family : distortion_families()) {
      LoaderOptions distorted = lo;
      distorted.eval_distortion = family;
      distorted.eval_severity = distorted_severity;
      const Scored out = score(s, samples, distorted, trust, density);
      t.distorted.push_back({family, distorted_severity, static_cast<int64_t>(samples.size()),
                             flagged_share(out.scores, trust), detection(out.scores)});
    }
  }
  return t;
}

}  // namespace leuko
