#include "eval/torch/evaluate.h"

#include <cstdio>
#include <filesystem>

#include <torch/torch.h>

#include "common/error.h"
#include "common/parallel.h"
#include "data/distort.h"
#include "data/layouts.h"
#include "data/preprocess_cache.h"
#include "data/scan.h"
#include "eval/calibration.h"
#include "eval/metrics.h"
#include "eval/statistics.h"
#include "eval/torch/inference.h"
#include "eval/torch/trained_model.h"
#include "eval/torch/trust_evaluation.h"
#include "models/placement.h"
#include "distributed/torch/communicator.h"
#include "explain/torch/explain_cells.h"
#include "run/run_samples.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

std::string split_name(std::optional<EvalSplit> on) {
  return on && *on != EvalSplit::All ? choice_name(*on) : "";
}

RunSamples images_to_score(const RunDir& run, const TrainedModel& t, const EvaluateOptions& o, int threads) {
  if (o.data.empty())
    return samples_in_run_order(run.read_split(), t.record.classes, run.split_path(),
                                split_name(o.on.value_or(EvalSplit::Test)), threads);
  return samples_in_run_order(open_dataset(o.data), t.record.classes, o.data, split_name(o.on), threads);
}

LoaderOptions eval_loader_options(const TrainedModel& t, const EvaluateOptions& o) {
  LoaderOptions l = scoring_loader_options(t, o.scoring);
  l.seed = 20250101;  // the sweep's noise is the same for every run evaluated
  l.test_time_denoise = o.test_time_denoise;
  return l;
}

Predictions score(TrainedModel& t, const std::vector<Sample>& samples, const LoaderOptions& lo,
                  const torch::Device& device, bool tta) {
  BatchLoader loader(samples, lo);
  return predict(*t.model, loader, device, t.bf16, tta);
}

// The temperature is fitted on the run's validation split, never on the images scored.
std::optional<CalibrationRecord> calibration(TrainedModel& t, const RunDir& run, const Predictions& p,
                                             const LoaderOptions& lo, const torch::Device& device, int threads) {
  const int k = static_cast<int>(t.record.classes.size());
  RunSamples val = samples_in_run_order(run.read_split(), t.record.classes, run.split_path(), "val", threads);
  Predictions pv = score(t, val.samples, lo, device, false);
  CalibrationRecord c;
  c.temperature = fit_temperature(pv.labels, pv.logits, k);
  c.ece = expected_calibration_error(p.labels, p.probs, k);
  c.ece_after_temperature = expected_calibration_error(p.labels, softmax_rows(p.logits, k, c.temperature), k);
  c.fitted_on = "val";
  return c;
}

PatientLevelRecord patient_level(const Predictions& p, const std::vector<std::string>& patients, bool known, int k,
                                 int resamples) {
  PatientLevelRecord r;
  if (!known) {
    r.reason = "no patient ids in this dataset";
    return r;
  }
  PatientAggregate agg = aggregate_by_patient(p.labels, p.probs, k, patients);
  r.available = true;
  r.metrics = compute_metrics(agg.labels, agg.probs, k);
  r.n_patients = static_cast<int64_t>(agg.patients.size());
  // Each patient one unit, resampled within its class like every patient bootstrap.
  r.ci95 = bootstrap_ci(agg.labels, agg.probs, k, agg.patients, resamples, 7);
  return r;
}

// Every family x severity of the sweep; each distorted prediction goes to eval-robustness.csv.
std::vector<RobustnessRecord> robustness_sweep(TrainedModel& t, const std::vector<Sample>& samples,
                                               const LoaderOptions& lo, const torch::Device& device,
                                               const EvaluateOptions& o, std::vector<RobustnessRow>& rows) {
  const int k = static_cast<int>(t.record.classes.size());
  const auto& held = held_out_distortion_families();
  std::vector<RobustnessRecord> records;
  for (const auto& family : distortion_families())
    for (int severity = 1; severity <= kSeverities; ++severity) {
      LoaderOptions dl = lo;
      dl.eval_distortion = family;
      dl.eval_severity = severity;
      Predictions dp = score(t, samples, dl, device, o.tta);
      Metrics dm = compute_metrics(dp.labels, dp.probs, k);
      const auto predicted = argmax_rows(dp.probs, k);
      for (size_t r = 0; r < dp.labels.size(); ++r) {
        const Sample& sample = samples[dp.sample_index[r]];
        rows.push_back({sample.path, sample.patient, t.record.classes[dp.labels[r]], family, severity,
                        t.record.classes[predicted[r]]});
      }
      records.push_back({family, severity, dm.accuracy, dm.f1_macro,
                         std::find(held.begin(), held.end(), family) != held.end()});
      if (o.show_progress)
        std::fprintf(stderr, "robustness %-15s severity %d  acc %.3f  f1 %.3f\n", family.c_str(), severity, dm.accuracy,
                     dm.f1_macro);
    }
  return records;
}

McNemarRecord against_other_run(const Predictions& p, const std::vector<Sample>& samples, const TrainedModel& t,
                                const EvaluateOptions& o, const torch::Device& device) {
  TrainedModel other = load_trained_model(RunDir::existing(o.against), device);
  if (other.record.classes != t.record.classes) throw UserError(o.against + ": trained on other classes than " + o.run);
  const int k = static_cast<int>(t.record.classes.size());
  Predictions q = score(other, samples, eval_loader_options(other, o), device, o.tta);
  McNemar mc = mcnemar_exact(p.labels, argmax_rows(p.probs, k), argmax_rows(q.probs, k));
  return {o.against, mc.both_right, mc.only_a_right, mc.only_b_right, mc.both_wrong, mc.p_value,
          compute_metrics(q.labels, q.probs, k).accuracy};
}

PredictionTable prediction_table(const Predictions& p, const std::vector<Sample>& samples,
                                 const std::vector<std::string>& classes) {
  const int k = static_cast<int>(classes.size());
  PredictionTable table{classes, {}};
  const auto predicted = argmax_rows(p.probs, k);
  for (size_t r = 0; r < p.labels.size(); ++r)
    table.rows.push_back({samples[p.sample_index[r]].path, classes[p.labels[r]], classes[predicted[r]],
                          std::vector<float>(p.probs.begin() + static_cast<long>(r * k),
                                             p.probs.begin() + static_cast<long>((r + 1) * k))});
  return table;
}

}  // namespace

EvalReport evaluate_run(const EvaluateOptions& o) {
  if (o.bootstrap < 1) throw UserError("--bootstrap: must be at least 1");
  if (o.scoring.batch < 1) throw UserError("--batch: must be at least 1");
  if (std::error_code ec; !o.against.empty() && std::filesystem::equivalent(o.against, o.run, ec))
    throw UserError("--against: " + o.against + " is the run itself; McNemar's test compares two runs");
  // Another run's folder would get this run's eval.json, and `compare` would show it as that run's.
  if (std::error_code ec; !o.out.empty() && RunDir(o.out).has_config() && !std::filesystem::equivalent(o.out, o.run, ec))
    throw UserError("--out: " + o.out + " is another run's folder; its eval.json would describe " + o.run +
                    " (give a folder of its own)");
  ScoringSession session = open_for_scoring(o.run, o.scoring);
  auto& [run, threads, device, t] = session;
  const int k = static_cast<int>(t.record.classes.size());

  RunSamples set = images_to_score(run, t, o, threads);
  if (set.skipped > 0)
    std::fprintf(stderr, "warning: %zu listed image%s could not be read and %s not scored (e.g. %s)\n", set.skipped,
                 set.skipped == 1 ? "" : "s", set.skipped == 1 ? "is" : "are", set.first_skipped.c_str());
  const LoaderOptions lo = eval_loader_options(t, o);
  Predictions p = score(t, set.samples, lo, device, o.tta);
  Metrics m = compute_metrics(p.labels, p.probs, k);

  std::vector<std::string> patients;
  bool patients_known = true;
  for (size_t i : p.sample_index) {
    patients.push_back(set.samples[i].patient);
    patients_known &= !set.samples[i].patient.empty();
  }
  EvalReport e;
  e.split = o.data.empty() ? choice_name(o.on.value_or(EvalSplit::Test)) : choice_name(o.on.value_or(EvalSplit::All));
  e.data = o.data.empty() ? run.split_path() : o.data;
  e.classes = t.record.classes;
  e.metrics = m;
  e.skipped_images = static_cast<int64_t>(set.skipped);
  e.weights_sha256 = t.weights_sha256;
  e.tta = o.tta;
  e.test_time_denoise = o.test_time_denoise;
  // One resampling rule for every CI (eval/statistics.h): patients where ids exist.
  e.ci95 = bootstrap_ci(p.labels, p.probs, k, patients, o.bootstrap, 7);
  e.ci95_resampled = resamples_by_group(patients, patients.size()) ? "patients" : "images";
  e.bootstrap_resamples = o.bootstrap;
  e.model = t.record.config.model;
  e.preset = t.record.config.preset;
  e.seconds_inference = p.seconds;
  if (o.data.empty() && o.on.value_or(EvalSplit::Test) != EvalSplit::Val)
    e.calibration = calibration(t, run, p, lo, device, threads);
  if (o.patients) e.patient_level = patient_level(p, patients, patients_known, k, o.bootstrap);
  std::vector<RobustnessRow> robustness_rows;
  if (o.distortions) {
    e.robustness = robustness_sweep(t, set.samples, lo, device, o, robustness_rows);
    e.distortion_parameters = distortion_parameters();
  }
  if (!o.against.empty()) e.mcnemar = against_other_run(p, set.samples, t, o, device);
  if (o.trust || !o.ood.empty()) e.trust = evaluate_trust(session, set.samples, lo, o.ood, o.scoring, o.distortions ? 5 : 0);

  // As one rank of several every rank has computed the same report from the gathered
  // predictions; rank 0 writes it.
  if (const Communicator* comm = current_communicator(); comm && !comm->world().is_main()) return e;
  const EvalFiles files(o.out.empty() ? run.path() : o.out);
  files.write_report(e);
  files.write_predictions(prediction_table(p, set.samples, t.record.classes));
  if (o.distortions) files.write_robustness(robustness_rows);
  if (!o.explain_dir.empty()) {
    const auto predicted = argmax_rows(p.probs, k);
    std::vector<CellToExplain> cells;
    for (size_t r = 0; r < p.sample_index.size(); ++r) {
      const auto& names = t.record.classes;
      char caption[256];
      std::snprintf(caption, sizeof caption, "true %s, predicted %s %.3f", names[static_cast<size_t>(p.labels[r])].c_str(),
                    names[static_cast<size_t>(predicted[r])].c_str(), p.probs[r * static_cast<size_t>(k) + static_cast<size_t>(predicted[r])]);
      cells.push_back({set.samples[p.sample_index[r]], predicted[r], caption});
    }
    explain_cells(t, device, lo, cells, o.explain_dir, o.show_progress);
  }
  return e;
}

}  // namespace leuko
