#pragma once
// results.json: everything the report shows, gathered from finished run directories (config.json,
// log.jsonl, eval.json, eval-predictions.csv). Each model's `eval` is its eval.json verbatim, so the
// report's numbers are the runs' numbers. Schema "leukoscope-results/1" (see README, "Reports").
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leuko {

struct CollectOptions {
  std::string title = "leukoscope comparison";
  std::string command;         // the command line that produced the report
  nlohmann::json dataset;      // null: derived from the first run's split.csv and config.json
  nlohmann::json preprocessing;  // null: from the first run's config.json
  nlohmann::json extra;        // merged at top level (e.g. "ablation", "steps")
};

nlohmann::json collect_results(const std::vector<std::string>& run_dirs, const CollectOptions& options);

// One model's entry: name, preset, parameters, GFLOPs, times, curves, ROC points, eval.json.
nlohmann::json collect_model(const std::string& run_dir);

// Dataset description from a split.csv: counts per split × class, patients per split.
nlohmann::json dataset_from_split_csv(const std::string& split_csv);

// The figures the reference paper reports for its best model (ViT Hybrid on C-NMC).
nlohmann::json paper_reference();

// McNemar's exact test for every pair of models scored on the same images.
nlohmann::json pairwise_mcnemar(const std::vector<std::string>& run_dirs, const std::vector<std::string>& names);

}  // namespace leuko
