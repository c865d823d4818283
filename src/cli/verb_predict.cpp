// `leukoscope predict RUN INPUT...`: classify new cells; calibrated probabilities, trust scores,
// review flags with reasons, per-patient calls; predictions.csv and predictions.json.
#include "cli/verbs.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "cli/scoring_flags.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "eval/torch/predict_cells.h"
#include "report/review_page.h"

namespace leuko::cli {

namespace {

void print_summary(const PredictionSet& set, size_t shown) {
  size_t flagged = 0;
  for (const auto& c : set.cells) flagged += c.review;
  std::printf("%zu cells predicted, %zu flagged for review, %zu skipped\n", set.cells.size(), flagged, set.skipped.size());
  for (size_t i = 0; i < set.cells.size() && i < shown; ++i) {
    const auto& c = set.cells[i];
    std::printf("  %-12s %.3f  %s%s%s\n", set.classes[static_cast<size_t>(c.predicted)].c_str(), c.confidence,
                c.path.c_str(), c.review ? "  REVIEW: " : "", c.why.c_str());
  }
  if (set.cells.size() > shown) std::printf("  ... (%zu more; --out DIR writes them all)\n", set.cells.size() - shown);
  for (const auto& p : set.patients) {
    std::printf("patient %-8s %4d cells  call %-8s (mean p %.3f)  awaiting review %d\n", p.patient.c_str(), p.cells,
                set.classes[static_cast<size_t>(p.call)].c_str(), p.mean_probs[static_cast<size_t>(p.call)], p.awaiting_review);
  }
  for (const auto& s : set.skipped) std::printf("skipped %s: %s\n", s.path.c_str(), s.reason.c_str());
}

}  // namespace

void add_predict_verb(CLI::App& app, const std::string* command_line) {
  auto o = std::make_shared<PredictOptions>();
  auto out = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto report = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("predict", "classify new cells with a run; calibrated probabilities, review flags");
  cmd->add_option("RUN", o->run, "run folder from `leukoscope train`")->required();
  cmd->add_option("INPUT", o->inputs, "image files, folders (searched recursively), or CSV manifests (path[,patient])")
      ->required();
  cmd->add_option("--out", *out, "folder for predictions.csv and predictions.json (default: print a summary)");
  cmd->add_option("--top-k", o->top_k, "classes listed per cell, most probable first (default 2)");
  cmd->add_flag("--tta", o->tta, "average the logits of the 8 dihedral views");
  cmd->add_flag("--patients", o->patients, "per-patient calls (patient from the CSV or C-NMC file names)");
  cmd->add_option("--max-error", o->max_error,
                  "error allowed among cells accepted without review, when the run is calibrated now (default 0.01)");
  cmd->add_option("--explain", o->explain_dir,
                  "folder for heatmaps of each cell's predicted class: Grad-CAM (and attention rollout for "
                  "vit-hybrid), the cell and its overlay side by side plus the raw 16-bit map; shown on --report");
  add_scoring_flags(cmd, o->scoring, /*cache_by_default=*/false);
  cmd->add_flag("--report", *report, "also write review.html in --out: patients, then the cells flagged for review, "
                                     "then every class's gallery (self-contained, no network)");
  cmd->add_flag("--json", *json, "print predictions.json to stdout");
  cmd->add_flag("--quiet", *quiet, "no progress lines");
  cmd->footer("Exit status: 0 when every input was predicted; 3 when some were skipped (unreadable, listed with\n"
              "the reason); 1 with one error line when nothing could be predicted.");
  cmd->callback([o, out, json, quiet, report, command_line] {
    if (*report && out->empty()) throw UserError("--report: needs --out DIR (where review.html goes)");
    o->show_progress = !*quiet;
    const PredictionSet set = predict_cells(*o);
    if (!out->empty()) {
      std::filesystem::create_directories(*out);
      write_file_atomically(*out + "/predictions.csv", predictions_csv(set));
      write_file_atomically(*out + "/predictions.json", json_text(predictions_json(set), 2) + "\n");
      if (*report) {
        report::ReviewPageOptions page;
        page.title = "Cells for review: " + std::to_string(set.cells.size()) + " cells, run " + o->run;
        page.byline = {command_line ? *command_line : "leukoscope predict"};
        page.threads = o->scoring.threads;
        for (const auto& c : set.cells)
          if (!c.heatmap.empty()) page.heatmaps[c.path] = c.heatmap;
        write_file_atomically(*out + "/review.html", report::review_page_html(set, page));
      }
    }
    if (*json) std::cout << json_text(predictions_json(set), 2) << "\n";
    else print_summary(set, out->empty() ? 20 : 5);
    if (!o->explain_dir.empty())
      std::printf("wrote heatmaps of %zu cells and %s/explanations.csv\n", set.cells.size(), o->explain_dir.c_str());
    if (!out->empty())
      std::printf("wrote %s/predictions.csv, %s/predictions.json%s\n", out->c_str(), out->c_str(),
                  *report ? (", " + *out + "/review.html").c_str() : "");
    std::fflush(stdout);
    if (!set.skipped.empty())
      throw PartialResult(std::to_string(set.skipped.size()) + " input file(s) skipped as unreadable (listed above" +
                          std::string(out->empty() ? "" : " and in predictions.json") + "); the rest were predicted");
  });
}

}  // namespace leuko::cli
