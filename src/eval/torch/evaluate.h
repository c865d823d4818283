#pragma once
// `leukoscope evaluate`: a finished run on one split (or another dataset) — every metric of the
// eval.json contract with bootstrap CIs, calibration, and on request the patient-level view, the
// robustness sweep, test-time augmentation and McNemar's test against another run.
#include <optional>
#include <string>
#include <vector>

#include "common/choice.h"
#include "common/compute_options.h"
#include "data/preprocess.h"
#include "eval/scoring_options.h"
#include "run/eval_report.h"

namespace leuko {

enum class EvalSplit { Test, Val, All };
LEUKO_CHOICES(EvalSplit, {EvalSplit::Test, "test"}, {EvalSplit::Val, "val"}, {EvalSplit::All, "all"});

struct EvaluateOptions {
  std::string run;
  std::string data;              // "" = the run's own split.csv; else another dataset
  // Which split: of the run's split.csv (default test), or of `data` when its layout has splits
  // (default: all of it).
  std::optional<EvalSplit> on;
  bool distortions = false;
  bool tta = false;
  bool patients = false;
  std::string against;           // another run: McNemar on the same images
  bool trust = false;            // the review rule on these images (calibrates the run once if needed)
  std::vector<std::string> ood;  // out-of-distribution images for the trust scores (implies trust)
  Denoise test_time_denoise = Denoise::None;  // applied to every image scored
  int bootstrap = 1000;
  ScoringOptions scoring;
  std::string out;               // folder for eval.json and its CSVs ("" = the run folder)
  std::string explain_dir;       // "" = none; else heatmaps of every scored image's predicted class
  bool show_progress = true;
};

// Writes eval.json (atomically) and beside it the per-image predictions (eval-predictions.csv)
// and, with `distortions`, every distorted prediction (eval-robustness.csv); returns the report.
EvalReport evaluate_run(const EvaluateOptions& options);

}  // namespace leuko
