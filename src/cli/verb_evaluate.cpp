// `leukoscope evaluate RUN`: metrics with confidence intervals, calibration, and on request the
// patient-level view, the robustness sweep, TTA and McNemar's test against another run.
#include "cli/verbs.h"

#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "cli/choice_option.h"
#include "cli/scoring_flags.h"
#include "distributed/torch/communicator.h"
#include "eval/torch/evaluate.h"

namespace leuko::cli {

void add_evaluate_verb(CLI::App& app) {
  auto o = std::make_shared<EvaluateOptions>();
  auto json = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("evaluate", "metrics of a run on a split, with CIs; optional robustness sweep, TTA, McNemar");
  cmd->add_option("RUN", o->run, "run folder from `leukoscope train`")->required();
  cmd->add_option("--data", o->data, "evaluate on this dataset instead of the run's own split");
  add_choice(cmd, "--on", o->on, "which split: of the run's split file (default test), or of --data when it has splits "
                                 "(default all of it)");
  add_choice(cmd, "--split", o->on, "")->group("");  // the old spelling, kept for one release
  cmd->add_flag("--distortions", o->distortions, "robustness sweep: 8 distortion families x 5 severities");
  cmd->add_flag("--tta", o->tta, "average over the 8 dihedral views");
  cmd->add_flag("--patients", o->patients, "patient-level metrics (mean probability per patient)");
  cmd->add_option("--against", o->against, "another run: McNemar's exact test on the same images");
  add_choice(cmd, "--test-time-denoise", o->test_time_denoise, "denoise every scored image first");
  cmd->add_option("--bootstrap", o->bootstrap, "bootstrap resamples for the 95 % CIs (default 1000)");
  cmd->add_flag("--trust", o->trust, "the review rule on these images: coverage, error, risk-coverage (calibrates once)");
  cmd->add_option("--ood", o->ood, "images the run never saw (folders, files, CSV): how well each trust score separates them");
  add_scoring_flags(cmd, o->scoring);
  cmd->add_option("--explain", o->explain_dir,
                  "folder for heatmaps of each image's predicted class (Grad-CAM; attention rollout too for vit-hybrid)");
  cmd->add_option("--out", o->out, "folder for eval.json, eval-predictions.csv, eval-robustness.csv (default RUN)");
  cmd->add_flag("--json", *json, "print eval.json to stdout");
  cmd->add_flag("--quiet", *quiet, "no per-condition lines of the robustness sweep");
  cmd->callback([o, json, quiet] {
    o->show_progress = !*quiet;
    // Under torchrun or `launch`, each rank scores its share of the images (over Gloo: what
    // travels is the predictions) and rank 0 writes and prints the report.
    const JoinedWorld joined(DistBackend::Gloo, std::chrono::seconds(300), torch::kCPU);
    o->show_progress &= joined.world().is_main();
    const EvalReport e = evaluate_run(*o);
    if (!joined.world().is_main()) return;
    if (*json) {
      std::cout << json_text(to_json(e), 2) << "\n";
      return;
    }
    auto ci = [&](const char* m) {
      char buf[64];
      const Interval iv = e.ci95.count(m) ? e.ci95.at(m) : Interval{};
      std::snprintf(buf, sizeof(buf), "%.3f [%.3f, %.3f]", metric_by_name(e.metrics, m), iv.lo, iv.hi);
      return std::string(buf);
    };
    std::cout << o->run << " on " << e.split << " (" << e.metrics.n << " images)\n";
    for (const auto& m : kScalarMetrics) std::printf("  %-18s %s\n", m.c_str(), ci(m.c_str()).c_str());
    if (e.patient_level && e.patient_level->available) {
      const PatientLevelRecord& pl = *e.patient_level;
      std::printf("  per patient (%lld, %s):\n", static_cast<long long>(pl.n_patients), pl.aggregation.c_str());
      for (const char* m : {"accuracy", "balanced_accuracy", "f1_macro", "auroc_macro"}) {
        const Interval iv = pl.ci95.count(m) ? pl.ci95.at(m) : Interval{std::nan(""), std::nan("")};
        std::printf("    %-16s %.3f [%.3f, %.3f]\n", m, metric_by_name(pl.metrics, m), iv.lo, iv.hi);
      }
    }
    if (e.calibration)
      std::printf("  ECE %.3f -> %.3f after temperature %.2f\n", e.calibration->ece, e.calibration->ece_after_temperature,
                  e.calibration->temperature);
    if (e.trust) {
      const TrustEvaluation& t = *e.trust;
      if (t.feasible)
        std::printf("  review rule: %.1f %% accepted at confidence >= %.3f, error among them %.2f %% (target %.2f %%); AURC %.4f\n",
                    100 * t.coverage, t.confidence_threshold, 100 * t.error, 100 * t.max_error, t.aurc);
      std::printf("  flagged for review: %.1f %% of these images", 100 * t.flagged_share);
      if (t.ood_images > 0) std::printf(", %.1f %% of %lld out-of-distribution images", 100 * t.ood_flagged_share,
                                        static_cast<long long>(t.ood_images));
      std::printf("\n");
      for (const auto& r : t.ood) std::printf("  OOD %-10s AUROC %.3f  FPR@95%%TPR %.3f\n", r.score.c_str(), r.auroc, r.fpr_at_95_tpr);
      for (const auto& d : t.distorted) {
        std::printf("  OOD %s at severity %d: %.1f %% set aside; AUROC", d.family.c_str(), d.severity, 100 * d.flagged_share);
        for (const auto& r : d.ood) std::printf(" %s %.3f", r.score.c_str(), r.auroc);
        std::printf("\n");
      }
    }
    if (!o->explain_dir.empty()) std::printf("  heatmaps: %s (index: explanations.csv)\n", o->explain_dir.c_str());
    if (e.mcnemar)
      std::printf("  McNemar vs %s: p = %.4g (%lld vs %lld discordant)\n", o->against.c_str(), e.mcnemar->p_value,
                  static_cast<long long>(e.mcnemar->only_this_right), static_cast<long long>(e.mcnemar->only_other_right));
  });
}

}  // namespace leuko::cli
