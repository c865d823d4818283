#pragma once
// The report's figures, drawn by gnuplot from results.json: training curves, confusion matrices,
// ROC curves, robustness curves, the metrics bar chart and the ablation's two plots. Each is one
// SVG named by a stable stem (plots/<stem>.svg); the section builders look them up by that stem.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/gnuplot_runner.h"

namespace leuko::report {

namespace plot_names {
inline const char* const kTrainingCurves = "training-curves";
inline const char* const kMainMetrics = "main-metrics";
inline const char* const kRobustness = "robustness";
inline const char* const kAblationRobustness = "ablation-robustness";
inline const char* const kAblationBars = "ablation-clean-vs-corrupted";
inline std::string confusion(const std::string& model_id) { return "confusion-" + model_id; }
inline std::string roc(const std::string& model_id) { return "roc-" + model_id; }
}  // namespace plot_names

struct PlotSet {
  std::map<std::string, std::string> svgs;      // stem -> SVG document
  std::map<std::string, std::string> failures;  // stem -> why that one plot is missing
  std::string skipped_reason;                   // set when no plot could be drawn at all

  bool has(const std::string& stem) const { return svgs.count(stem) > 0; }
};

// One id per entry of results.models, unique even when two names slug alike; used in plot file
// names and HTML anchors.
std::vector<std::string> model_ids(const nlohmann::json& results);

// The distortion families of the models' robustness sweeps, in first-seen order, and whether
// each was held out of training (any model or the ablation saying so marks it).
struct DistortionFamily {
  std::string name;
  bool held_out = false;
};
std::vector<DistortionFamily> robustness_families(const nlohmann::json& results);

PlotSet render_plots(const nlohmann::json& results, const GnuplotRunner& gnuplot);

}  // namespace leuko::report
