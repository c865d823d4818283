// `leukoscope calibrate RUN`: the temperature, review thresholds and feature density that
// `predict` uses to say when not to trust a cell, fitted on the run's own splits and stored in it.
#include "cli/verbs.h"

#include <cstdio>

#include "cli/scoring_flags.h"
#include "eval/torch/trust_calibration.h"

namespace leuko::cli {

void add_calibrate_verb(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  auto* cmd = app.add_subcommand("calibrate", "fit the review thresholds of a run (predict does it once when needed)");
  cmd->add_option("RUN", o->run, "run folder from `leukoscope train`")->required();
  cmd->add_option("--max-error", o->max_error,
                  "error allowed among the cells accepted without review, on the validation split (default 0.01)");
  add_scoring_flags(cmd, o->scoring);
  cmd->callback([o] {
    const TrustRecord t = calibrate_run(*o);
    std::printf("temperature          %.3f (fitted on %lld validation cells)\n", t.temperature,
                static_cast<long long>(t.validation_images));
    if (t.confidence_feasible)
      std::printf("confidence threshold %.4f: %.1f %% of validation cells accepted, error among them %.2f %% (target %.2f %%)\n",
                  t.confidence_threshold, 100 * t.validation_coverage, 100 * t.validation_error, 100 * t.max_error);
    else
      std::printf("confidence threshold none: no threshold keeps the validation error at or below %.2f %%; every cell will be flagged\n",
                  100 * t.max_error);
    std::printf("distance threshold   %.1f (keeps %.0f %% of validation cells; %lld-d features, %lld training cells, shrinkage %.3f)\n",
                t.distance_threshold, 100 * t.in_distribution_kept, static_cast<long long>(t.feature_dim),
                static_cast<long long>(t.training_images), t.shrinkage);
    std::printf("wrote %s/trust.json and %s/feature-density.safetensors\n", o->run.c_str(), o->run.c_str());
  });
}

}  // namespace leuko::cli
