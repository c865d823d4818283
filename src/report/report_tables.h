#pragma once
// The report's tables, built from results.json into the shared Table model that both writers
// render. Each returns an empty table (no rows) when the data it needs is absent; the section
// builder leaves empty tables out.
#include <nlohmann/json.hpp>

#include "report/report_document.h"

namespace leuko::report {

using nlohmann::json;

// Images per split x class, with totals and, when known, patients per split.
Table dataset_counts_table(const json& dataset);

// One line per model: preset, size, cost, how long it trained and when it peaked.
Table models_table(const json& results);

// Every headline metric with its 95 % CI, the best per column bold, and the paper's reported
// figures as a reference row.
Table main_results_table(const json& results);

// The Summary's short version: accuracy, macro-F1 [CI], AUROC, mean macro-F1 under distortion.
Table summary_table(const json& results);

// McNemar's exact test for every pair of models.
Table pairwise_table(const json& results);

// Class x (precision, recall, F1, specificity, support, AUROC, most confused with) of one model.
Table per_class_table(const json& results, const json& model);

// Distortion x severity -> macro-F1 per model (severity 0: clean); held-out families marked.
Table robustness_table(const json& results);

// ECE before and after temperature scaling.
Table calibration_table(const json& results);

// The review rule of `predict` on each model's test split, and how well each trust score tells
// images the model never saw from its own (evaluate --trust / --ood).
Table trust_table(const json& results);
Table ood_table(const json& results);

// Metrics after aggregating cells to patients (mean probability per patient).
Table patient_level_table(const json& results);

// Strategy x (clean, mean corrupted, held-out macro-F1, mCE, time).
Table ablation_table(const json& ablation);

// Run directory and seed per model.
Table runs_table(const json& results);

}  // namespace leuko::report
