#pragma once
// eval.json as a type — the contract the study report and the checks read: every metric with its
// 95 % bootstrap CI, calibration, and when asked the patient-level view, the robustness sweep and
// McNemar's test against another run. Its per-image companions are in run/eval_tables.h.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/preprocess.h"
#include "eval/metrics.h"
#include "eval/statistics.h"

namespace leuko {

class JsonReader;

struct CalibrationRecord {
  double ece = 0, temperature = 1, ece_after_temperature = 0;
  std::string fitted_on = "val";
};

struct PatientLevelRecord {
  bool available = false;
  std::string reason;               // when not available
  Metrics metrics;                  // per patient: mean probability per class, majority label
  int64_t n_patients = 0;
  std::string aggregation = "mean probability per patient";
  std::map<std::string, Interval> ci95;  // patients resampled within their class
};

struct RobustnessRecord {
  std::string distortion;
  int severity = 0;
  double accuracy = 0, f1_macro = 0;
  bool held_out = false;
};

struct McNemarRecord {
  std::string against;
  int64_t both_right = 0, only_this_right = 0, only_other_right = 0, both_wrong = 0;
  double p_value = 1, other_accuracy = 0;
};

// How far the run can be trusted on the scored images (evaluate --trust / --ood): its stored
// review threshold applied (selective classification), the risk-coverage curve of the confidence
// score, and how well each trust score tells these images from out-of-distribution ones.
struct OodRecord {
  std::string score;  // confidence | margin | energy | distance
  double auroc = 0.5, fpr_at_95_tpr = 0;
};

// The robustness sweep's most distorted images of one family, treated as out of distribution.
struct DistortedOod {
  std::string family;
  int severity = 5;
  int64_t images = 0;
  double flagged_share = 0;   // of these images, the share the review rule sets aside
  std::vector<OodRecord> ood;  // per score
};

struct TrustEvaluation {
  double max_error = 0, confidence_threshold = 0;
  bool feasible = true;
  int64_t accepted = 0;
  double coverage = 0, error = 0;   // at the stored confidence threshold
  double aurc = 0;                  // area under the risk-coverage curve (lower is better)
  std::vector<std::pair<double, double>> risk_coverage;  // (coverage, risk), at most ~100 points
  double flagged_share = 0;         // cells the full review rule (confidence or distance) sets aside
  std::string ood_data;             // "" when no out-of-distribution set was given
  int64_t ood_images = 0;
  double ood_flagged_share = 0;     // OOD cells the review rule sets aside
  std::vector<OodRecord> ood;       // per score
  std::vector<DistortedOod> distorted;  // with the robustness sweep: each family at its worst severity
};

struct EvalReport {
  std::string split;  // test | val | all (a whole other dataset)
  std::string data;   // what was scored: RUN/split.csv or the dataset given
  std::vector<std::string> classes;
  Metrics metrics;
  int64_t skipped_images = 0;  // listed but unreadable, so not scored (n counts the scored ones)
  std::map<std::string, Interval> ci95;
  std::string ci95_resampled;  // patients | images
  int bootstrap_resamples = 0;
  bool tta = false;
  Denoise test_time_denoise = Denoise::None;
  std::string model, preset;
  double seconds_inference = 0;
  std::optional<CalibrationRecord> calibration;
  std::optional<PatientLevelRecord> patient_level;
  std::optional<std::vector<RobustnessRecord>> robustness;
  nlohmann::json distortion_parameters;  // with the sweep: what each family and severity does
  std::optional<McNemarRecord> mcnemar;
  std::optional<TrustEvaluation> trust;
  std::string weights_sha256;  // of the best.safetensors scored ("" in files written before 2026-12-07)
};

nlohmann::json to_json(const EvalReport& e);

// UserError naming the file and key for anything missing or of the wrong type.
EvalReport eval_report_from_json(const JsonReader& j);

}  // namespace leuko
