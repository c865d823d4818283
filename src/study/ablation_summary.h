#pragma once
// The distortion-handling ablation in numbers: for each strategy, clean macro-F1, mean macro-F1
// over every distortion x severity, the same over the held-out families only, and the mean
// corruption error (ImageNet-C's mCE with error = 1 - macro-F1, relative to the baseline strategy)
// — each with a paired bootstrap CI (the same resampled images for every strategy), plus the
// difference of each strategy from the baseline with its CI, so "better" means "significantly".
// Three steps: align (study/ablation_align.h) -> estimate (study/ablation_estimate.h) -> describe
// (the JSON here, its sentences in study/findings.h).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leuko {

struct AblationStrategyInput {
  std::string name;
  std::string description;
  std::string eval_dir;   // the folder of its eval.json and tables (run/eval_files.h)
  std::string run;        // the run whose model was scored
  double train_seconds = 0;
  nlohmann::json settings;  // what was recorded for this strategy (its run's training options)
};

nlohmann::json summarise_ablation(const std::vector<AblationStrategyInput>& strategies, const std::string& baseline,
                                  int resamples, uint64_t seed);

}  // namespace leuko
