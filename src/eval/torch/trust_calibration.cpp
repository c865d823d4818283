#include "eval/torch/trust_calibration.h"

#include <algorithm>
#include <cstdio>
#include <cmath>

#include <torch/torch.h>

#include "common/error.h"
#include "common/parallel.h"
#include "eval/calibration.h"
#include "eval/metrics.h"
#include "eval/selective.h"
#include "eval/torch/inference.h"
#include "eval/torch/trained_model.h"
#include "eval/uncertainty.h"
#include "models/placement.h"
#include "models/weights.h"
#include "run/run_samples.h"

namespace leuko {

namespace {

Predictions score_split(TrainedModel& t, const RunDir& run, const std::string& split, const LoaderOptions& lo,
                        const torch::Device& device, int threads) {
  RunSamples set = samples_in_run_order(run.read_split(), t.record.classes, run.split_path(), split, threads);
  BatchLoader loader(set.samples, lo);
  return predict(*t.model, loader, device, t.bf16, /*tta=*/false, /*features=*/true);
}

torch::Tensor as_tensor(const std::vector<double>& values, int64_t rows, int64_t cols) {
  return torch::tensor(std::vector<float>(values.begin(), values.end())).reshape({rows, cols});
}

std::vector<double> as_doubles(const torch::Tensor& t) {
  auto f = t.to(torch::kFloat).contiguous();
  return std::vector<double>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
}

// The stored density is float32: score the validation cells with exactly what predict will load.
FeatureDensity rounded_to_float(FeatureDensity d) {
  for (auto& v : d.means) v = static_cast<float>(v);
  for (auto& v : d.precision) v = static_cast<float>(v);
  return d;
}

void write_feature_density(const RunDir& run, const FeatureDensity& d) {
  write_safetensors(run.feature_density_path(),
                    {{"means", as_tensor(d.means, d.classes, d.dim)}, {"precision", as_tensor(d.precision, d.dim, d.dim)}},
                    {{"shrinkage", std::to_string(d.shrinkage)}});
}

// The score below which a cell is unlike the training data: the highest threshold that still
// keeps `kept` of the validation cells.
double threshold_keeping(std::vector<float> scores, double kept) {
  std::sort(scores.begin(), scores.end());
  const size_t drop = static_cast<size_t>(std::floor((1.0 - kept) * static_cast<double>(scores.size())));
  return scores[std::min(drop, scores.size() - 1)];
}

}  // namespace

FeatureDensity read_feature_density(const RunDir& run) {
  const std::string path = run.feature_density_path();
  auto tensors = read_safetensors(path);
  if (!tensors.count("means") || !tensors.count("precision") || tensors["means"].dim() != 2 ||
      tensors["precision"].dim() != 2 || tensors["precision"].size(0) != tensors["means"].size(1) ||
      tensors["precision"].size(1) != tensors["means"].size(1))
    throw UserError(path + ": needs a K x D tensor 'means' and a D x D tensor 'precision' (run `leukoscope calibrate`)");
  FeatureDensity d;
  d.classes = static_cast<int>(tensors["means"].size(0));
  d.dim = static_cast<int>(tensors["means"].size(1));
  d.means = as_doubles(tensors["means"]);
  d.precision = as_doubles(tensors["precision"]);
  return d;
}

TrustRecord calibrate_run(const CalibrateOptions& o) {
  if (!(o.max_error > 0 && o.max_error < 1)) throw UserError("--max-error: must be within (0, 1)");
  ScoringSession session = open_for_scoring(o.run, o.scoring);
  auto& [run, threads, device, t] = session;
  const int k = static_cast<int>(t.record.classes.size());
  const LoaderOptions lo = scoring_loader_options(t, o.scoring);

  // The training split's penultimate features: class means and one shared covariance (Lee et al. 2018).
  Predictions train = score_split(t, run, "train", lo, device, threads);
  const FeatureDensity density = rounded_to_float(
      fit_feature_density(train.features, train.labels, k, static_cast<int>(train.feature_dim)));

  // The validation split: temperature, then the two thresholds.
  Predictions val = score_split(t, run, "val", lo, device, threads);
  TrustRecord r;
  r.temperature = fit_temperature(val.labels, val.logits, k);
  r.max_error = o.max_error;
  const auto confidence = max_softmax_probability(val.logits, k, r.temperature);
  const auto predicted = argmax_rows(val.logits, k);
  std::vector<bool> correct(val.labels.size());
  for (size_t i = 0; i < correct.size(); ++i) correct[i] = predicted[i] == val.labels[i];
  const SelectiveThreshold chosen = choose_selective_threshold(confidence, correct, o.max_error);
  r.confidence_threshold = chosen.threshold;
  r.confidence_feasible = chosen.feasible;
  r.validation_coverage = chosen.validation.coverage;
  r.validation_error = chosen.validation.risk;
  r.validation_images = static_cast<int64_t>(val.labels.size());
  r.distance_threshold = threshold_keeping(mahalanobis_scores(density, val.features), r.in_distribution_kept);
  r.feature_dim = density.dim;
  r.training_images = static_cast<int64_t>(train.labels.size());
  r.shrinkage = density.shrinkage;
  r.weights_sha256 = t.weights_sha256;

  write_feature_density(run, density);
  run.write_trust(r);
  return r;
}

TrustRecord current_trust(const RunDir& run, const std::string& weights_sha256, const CalibrateOptions& options,
                          bool announce) {
  if (run.has_trust()) {
    const TrustRecord stored = run.read_trust();
    if (stored.weights_sha256.empty() || stored.weights_sha256 == weights_sha256) return stored;
    if (announce)
      std::fprintf(stderr, "note: %s was fitted to earlier weights than %s: calibrating again\n", run.trust_path().c_str(),
                   run.best_weights_path().c_str());
  } else if (announce) {
    std::fprintf(stderr, "calibrating %s once (temperature, review thresholds, feature density)...\n", run.path().c_str());
  }
  calibrate_run(options);
  return run.read_trust();
}

}  // namespace leuko
