#pragma once
// `--explain DIR` of predict and evaluate: for every cell, the heatmaps of its model's methods
// (explainer.h) over the image as the run's preprocessing made it, written as
//   DIR/NNNN-STEM.METHOD.png      the image and the heatmap over it, side by side, captioned
//   DIR/NNNN-STEM.METHOD.map.png  the raw map, 16-bit grey (0..65535 = 0..1, scaled per image)
//   DIR/explanations.csv          path, class explained (by name), method, the two files
// NNNN is the cell's position in the list: two cells with the same file name never collide.
#include <string>
#include <vector>

#include <torch/types.h>

#include "data/sample.h"
#include "eval/torch/trained_model.h"

namespace leuko {

struct CellToExplain {
  Sample sample;
  int target = 0;       // the class whose evidence is shown (the predicted one, usually)
  std::string caption;  // written under the picture, e.g. "ALL 0.93"; the method is appended
};

struct ExplainedCell {
  std::string path;     // the cell's image, as in CellToExplain::sample.path
  int target = 0;
  std::string method;
  std::string picture;  // the side-by-side PNG
  std::string map;      // the 16-bit PNG
};

// UserError when DIR cannot be made or written. Cells whose image fails to decode here were
// already reported by the caller's scoring pass and are not in `cells`.
std::vector<ExplainedCell> explain_cells(TrainedModel& trained, const torch::Device& device, LoaderOptions loader,
                                         const std::vector<CellToExplain>& cells, const std::string& out_dir,
                                         bool show_progress);

}  // namespace leuko
