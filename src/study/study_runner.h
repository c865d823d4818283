#pragma once
// `leukoscope study`: the paper in one command. Steps, each landing in the study folder:
//   scan → verify (C-NMC with a manifest) → grouped split + leakage audit → train each model →
//   evaluate each (CIs, per class, per patient, robustness sweep) → [distortion ablation] →
//   compare → report (report.html, report.md, results.json)
// Every step records a stamp of its inputs; a re-run reuses the steps whose stamp still matches
// and resumes an interrupted training from its last checkpoint.
#include <string>
#include <vector>

#include "study/study_config.h"

namespace leuko {

class StudyRanks;

struct StudyOptions {
  StudyConfig config;
  std::string out = "study-out";
  std::string command;   // as typed, for the report's reproducibility section
  std::string cache_dir;  // "" = default preprocessing cache
  int threads = 0;
  bool show_progress = true;
  StudyRanks* ranks = nullptr;  // rank 0 of several (study/study_ranks.h): the trainings are shared
};

struct StudyOutcome {
  std::string report_html, report_md, results_json;
  std::vector<std::string> runs;
  double seconds = 0;
};

StudyOutcome run_study(const StudyOptions& options);

}  // namespace leuko
