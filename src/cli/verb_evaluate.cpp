// `leukoscope evaluate RUN`: metrics with confidence intervals, calibration, and on request the
// patient-level view, the robustness sweep, TTA and McNemar's test against another run.
#include "cli/verbs.h"

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "eval/torch/evaluate.h"

namespace leuko::cli {

void add_evaluate_verb(CLI::App& app) {
  auto o = std::make_shared<EvaluateOptions>();
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("evaluate", "metrics of a run on a split, with CIs; optional robustness sweep, TTA, McNemar");
  cmd->add_option("RUN", o->run, "run directory from `leukoscope train`")->required();
  cmd->add_option("--data", o->data, "evaluate on this dataset instead of the run's own split (all of it)");
  cmd->add_option("--split", o->split, "test | val | all (default test)");
  cmd->add_flag("--distortions", o->distortions, "robustness sweep: 8 distortion families x 5 severities");
  cmd->add_flag("--tta", o->tta, "average over the 8 dihedral views");
  cmd->add_flag("--patients", o->patients, "patient-level metrics (mean probability per patient)");
  cmd->add_option("--against", o->against, "another run: McNemar's exact test on the same images");
  cmd->add_option("--test-time-denoise", o->test_time_denoise,
                  "denoise every scored image first (none | median | bilateral | nlm; default none)")
      ->check(CLI::IsMember({"none", "median", "bilateral", "nlm"}));
  cmd->add_option("--bootstrap", o->bootstrap, "bootstrap resamples for the 95 % CIs (default 1000)");
  cmd->add_option("--batch", o->batch, "images per forward pass (default 64)");
  cmd->add_option("--threads", o->threads, "intra-op threads (default: all cores)");
  cmd->add_option("--device", o->device, "cpu | cuda (default cpu)");
  cmd->add_option("--cache", o->cache_dir, "preprocessing cache folder, or none");
  cmd->add_option("--out", o->out, "where to write eval.json (default RUN/eval.json)");
  cmd->add_flag("--json", *json, "print eval.json to stdout");
  cmd->callback([o, json] {
    auto j = evaluate_run(*o);
    if (*json) {
      std::cout << j.dump(2) << "\n";
      return;
    }
    auto ci = [&](const char* m) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.3f [%.3f, %.3f]", j[m].get<double>(), j["ci95"][m][0].get<double>(),
                    j["ci95"][m][1].get<double>());
      return std::string(buf);
    };
    std::cout << o->run << " on " << j["split"].get<std::string>() << " (" << j["n"] << " images)\n";
    for (const char* m : {"accuracy", "balanced_accuracy", "precision_macro", "recall_macro", "f1_macro", "f1_weighted",
                          "specificity_macro", "auroc_macro"})
      std::printf("  %-18s %s\n", m, ci(m).c_str());
    if (j.contains("calibration"))
      std::printf("  ECE %.3f -> %.3f after temperature %.2f\n", j["calibration"]["ece"].get<double>(),
                  j["calibration"]["ece_after_temperature"].get<double>(), j["calibration"]["temperature"].get<double>());
    if (j.contains("mcnemar"))
      std::printf("  McNemar vs %s: p = %.4g (%ld vs %ld discordant)\n", o->against.c_str(),
                  j["mcnemar"]["p_value"].get<double>(), j["mcnemar"]["only_this_right"].get<long>(),
                  j["mcnemar"]["only_other_right"].get<long>());
  });
}

}  // namespace leuko::cli
