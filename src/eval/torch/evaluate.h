#pragma once
// `leukoscope evaluate`: a finished run on one split (or another dataset) — every metric of the
// eval.json contract with bootstrap CIs, calibration, and on request the patient-level view, the
// robustness sweep, test-time augmentation and McNemar's test against another run.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace leuko {

struct EvaluateOptions {
  std::string run;
  std::string data;           // "" = the run's own split.csv; else a dataset evaluated whole ("all")
  std::string split = "test"; // test | val | all
  bool distortions = false;
  bool tta = false;
  bool patients = false;
  std::string against;        // another run: McNemar on the same images
  std::string test_time_denoise = "none";  // none | median | bilateral | nlm: applied to every image scored
  int bootstrap = 1000;
  int threads = 0;
  int batch = 64;
  std::string device = "cpu";
  std::string cache_dir;      // "" = default, "none" = off
  std::string out;            // "" = RUN/eval.json
  bool show_progress = true;
};

// Writes eval.json (atomically) and beside it the per-image predictions (NAME-predictions.csv)
// and, with `distortions`, every distorted prediction (NAME-robustness.csv); returns the JSON.
nlohmann::json evaluate_run(const EvaluateOptions& options);

}  // namespace leuko
