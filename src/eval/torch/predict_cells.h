#pragma once
// `leukoscope predict RUN INPUT...`: classify new cells with the run's own preprocessing, input
// size, normalisation and class names; calibrated probabilities (the run's temperature), top-k,
// margin, the trust scores, and the review flag with its reasons; per patient on request.
#include <string>
#include <vector>

#include "eval/scoring_options.h"
#include "eval/cell_predictions.h"

namespace leuko {

struct PredictOptions {
  std::string run;
  std::vector<std::string> inputs;  // files, folders (recursive), CSV manifests (path[,patient])
  int top_k = 2;
  bool tta = false;
  bool patients = false;
  std::string explain_dir;          // "" = no explanations; else heatmaps of every cell's predicted class
  double max_error = 0.01;          // used when the run is calibrated here for the first time
  ScoringOptions scoring;
  bool show_progress = true;
};

// UserError when nothing can be predicted (no readable image among the inputs).
PredictionSet predict_cells(const PredictOptions& options);

}  // namespace leuko
