#pragma once
// The study's report: from a leukoscope-results/1 object to out_dir/report.html (self-contained),
// out_dir/report.md (its Markdown twin) and out_dir/plots/*.svg. Missing optional keys skip their
// part; a missing or failing gnuplot leaves a report without plots that says so, never an error.
#include <string>

#include <nlohmann/json.hpp>

namespace leuko {

struct RenderOptions {
  std::string gnuplot = "gnuplot";  // program name (searched on PATH) or a path
};

// Throws UserError when `results` is not a results object (not an object, or no models list),
// or when out_dir cannot be written.
void render_report(const nlohmann::json& results, const std::string& out_dir, const RenderOptions& options = {});

}  // namespace leuko
