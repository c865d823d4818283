#pragma once
// `leukoscope calibrate RUN`: fits what `predict` needs to say when not to trust a cell, and
// stores it in the run (run/trust_record.h): the temperature and the review thresholds from the
// validation split, the class means and shared covariance of the penultimate features from the
// training split (RUN/feature-density.safetensors). `predict` runs it once when the run has none.
#include <string>

#include "eval/scoring_options.h"
#include "eval/feature_density.h"
#include "run/run_dir.h"

namespace leuko {

struct CalibrateOptions {
  std::string run;
  double max_error = 0.01;  // the error the accepted validation cells may have
  ScoringOptions scoring;
};

TrustRecord calibrate_run(const CalibrateOptions& options);

// The run's trust record, calibrated first (saying so when `announce`) when it has none or when
// its trust.json was fitted to other weights than `weights_sha256` (the run trained on since).
TrustRecord current_trust(const RunDir& run, const std::string& weights_sha256, const CalibrateOptions& options,
                          bool announce);

// The stored feature density of a calibrated run.
FeatureDensity read_feature_density(const RunDir& run);

}  // namespace leuko
