#include "eval/torch/predict_cells.h"

#include <cstdio>
#include <map>

#include <torch/torch.h>

#include "common/count_progress.h"
#include "common/error.h"
#include "common/parallel.h"
#include "data/prediction_inputs.h"
#include "eval/feature_density.h"
#include "eval/metrics.h"
#include "eval/torch/inference.h"
#include "explain/torch/explain_cells.h"
#include "eval/torch/trained_model.h"
#include "eval/torch/trust_calibration.h"
#include "eval/trust_scores.h"
#include "models/placement.h"

namespace leuko {

namespace {

std::string fixed(double v, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

std::string review_rule(const TrustRecord& t) {
  const std::string confidence =
      t.confidence_feasible
          ? "its calibrated top-class probability is below " + fixed(t.confidence_threshold, 4) +
                " (the threshold at which the accepted validation cells' error stays at or below " +
                fixed(100 * t.max_error, 1) + " %: " + fixed(100 * t.validation_coverage, 1) + " % of them accepted)"
          : "always: no confidence threshold kept the validation error at or below " + fixed(100 * t.max_error, 1) + " %";
  return "a cell is flagged for review when " + confidence +
         ", or when it is unlike the training data (Mahalanobis score of its features below " +
         fixed(t.distance_threshold, 1) + ", which " + fixed(100 * t.in_distribution_kept, 0) +
         " % of validation cells exceed)";
}

void flag(CellPrediction& c, const TrustRecord& t) {
  std::vector<std::string> reasons;
  if (!t.confidence_feasible) reasons.push_back("the run cannot meet its error target on any cell");
  else if (low_confidence(c.confidence, t))
    reasons.push_back("low confidence (" + fixed(c.confidence, 3) + " < " + fixed(t.confidence_threshold, 3) + ")");
  if (unlike_training_data(c.distance, t))
    reasons.push_back("unlike the training data (distance score " + fixed(c.distance, 1) + " < " +
                      fixed(t.distance_threshold, 1) + ")");
  c.review = !reasons.empty();
  for (const auto& r : reasons) c.why += (c.why.empty() ? "" : "; ") + r;
}

}  // namespace

PredictionSet predict_cells(const PredictOptions& o) {
  if (o.top_k < 1) throw UserError("--top-k: must be at least 1");
  // Checked also when the run is calibrated already and the value goes unused: a typo is not silent.
  if (!(o.max_error > 0 && o.max_error < 1)) throw UserError("--max-error: must be within (0, 1)");
  const RunDir run = RunDir::existing(o.run);
  Dataset inputs = gather_prediction_inputs(o.inputs);
  if (inputs.samples.empty())
    throw UserError("INPUT: no readable image among " + std::to_string(inputs.skipped.size()) + " file(s) given" +
                    (inputs.skipped.empty() ? "" : " (first: " + inputs.skipped[0].path + ": " + inputs.skipped[0].reason + ")"));

  ScoringSession session = open_for_scoring(o.run, o.scoring);
  const torch::Device device = session.device;
  TrainedModel& t = session.trained;
  // Fitted to the weights just loaded (their hash taken once, by the loader).
  const TrustRecord trust = current_trust(run, t.weights_sha256, {o.run, o.max_error, o.scoring}, o.show_progress);
  const FeatureDensity density = read_feature_density(run);
  const int k = static_cast<int>(t.record.classes.size());
  if (density.classes != k) throw UserError(run.feature_density_path() + ": fitted for another number of classes");
  LoaderOptions images = scoring_loader_options(t, o.scoring);
  images.skip_unreadable = true;  // new images: list the ones that do not decode, predict the rest
  BatchLoader loader(inputs.samples, images);
  Predictions p;
  {
    CountProgress progress("predict", inputs.samples.size(), o.show_progress);
    p = predict(*t.model, loader, device, t.bf16, o.tta, /*features=*/true, &progress);
  }

  inputs.skipped.insert(inputs.skipped.end(), p.unreadable.begin(), p.unreadable.end());
  if (p.sample_index.empty())
    throw UserError("INPUT: no readable image among " + std::to_string(inputs.skipped.size()) + " file(s) given (first: " +
                    inputs.skipped[0].path + ": " + inputs.skipped[0].reason + ")");

  const TrustScores scores = trust_scores(p.logits, p.features, k, trust, density);
  const auto predicted = argmax_rows(scores.probs, k);

  PredictionSet set;
  set.run = o.run;
  set.classes = t.record.classes;
  set.skipped = inputs.skipped;
  set.top_k = std::min(o.top_k, k);
  set.review_rule = review_rule(trust);
  for (size_t r = 0; r < p.sample_index.size(); ++r) {
    const Sample& s = inputs.samples[p.sample_index[r]];
    CellPrediction c;
    c.path = s.path;
    c.patient = s.patient;
    c.probs.assign(scores.probs.begin() + static_cast<long>(r * k), scores.probs.begin() + static_cast<long>((r + 1) * k));
    c.predicted = predicted[r];
    c.confidence = scores.confidence[r];
    c.margin = scores.margin[r];
    c.energy = scores.energy[r];
    c.distance = scores.distance[r];
    flag(c, trust);
    set.cells.push_back(std::move(c));
  }
  if (o.patients) set.patients = call_patients(set.cells, k);
  if (!o.explain_dir.empty()) {
    std::vector<CellToExplain> cells;
    for (size_t r = 0; r < set.cells.size(); ++r) {
      const auto& c = set.cells[r];
      cells.push_back({inputs.samples[p.sample_index[r]], c.predicted,
                       set.classes[static_cast<size_t>(c.predicted)] + " " + fixed(c.probs[static_cast<size_t>(c.predicted)], 3) +
                           (c.review ? "  REVIEW" : "")});
    }
    std::map<std::string, std::string> grad_cam;
    for (const auto& e : explain_cells(t, device, scoring_loader_options(t, o.scoring), cells, o.explain_dir, o.show_progress))
      if (e.method == "grad-cam") grad_cam[e.path] = e.picture;
    for (auto& c : set.cells) c.heatmap = grad_cam[c.path];
  }
  return set;
}

}  // namespace leuko
