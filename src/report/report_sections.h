#pragma once
// Assembles the report's sections, in their fixed order, from results.json and the plots that
// were drawn. The ids and titles are a contract: links into a report and the tests rely on them.
#include <nlohmann/json.hpp>

#include "report/plots.h"
#include "report/report_document.h"

namespace leuko::report {

namespace section_ids {
inline const char* const kSummary = "summary";
inline const char* const kDataset = "dataset";
inline const char* const kPreprocessing = "preprocessing";
inline const char* const kModels = "models";
inline const char* const kMainResults = "main-results";
inline const char* const kPairwise = "pairwise-comparison";
inline const char* const kPerClass = "per-class-results";
inline const char* const kTrainingCurves = "training-curves";
inline const char* const kConfusion = "confusion-matrices";
inline const char* const kRoc = "roc-curves";
inline const char* const kRobustness = "robustness";
inline const char* const kCalibration = "calibration";
inline const char* const kTrust = "knowing-when-not-to-trust";  // only when a model has eval.trust
inline const char* const kPatientLevel = "patient-level-results";  // only when a model has patient_level
inline const char* const kAblation = "distortion-handling-ablation";  // only when results.ablation exists
inline const char* const kReproducibility = "reproducibility";
}  // namespace section_ids

Document build_document(const nlohmann::json& results, const PlotSet& plots);

}  // namespace leuko::report
