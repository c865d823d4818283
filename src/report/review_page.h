#pragma once
// The review page of `predict --report`, the way automated cell-morphology analysers present a
// run: the machine pre-classifies every cell and sets aside the ones it is unsure of for a
// technologist. One self-contained HTML page in the study report's style (its stylesheet and
// escaper, html_writer.h): a summary, the per-patient calls, the cells flagged for review
// (lowest confidence first, never capped), then one gallery per predicted class of the accepted
// cells (highest confidence first, capped so that a run of thousands of cells stays usable), and
// the files that were skipped. Thumbnails are embedded as PNG data: URIs: no script, no network.
#include <map>
#include <string>
#include <vector>

#include "eval/cell_predictions.h"

namespace leuko::report {

struct ReviewPageOptions {
  std::string title = "Cells for review";
  std::vector<std::string> byline;  // when and how the page was made (time, command): under the title
  int thumbnail_px = 96;            // the longer side of every thumbnail
  // Accepted cells shown per class gallery; the rest are counted in a note pointing to
  // predictions.csv. Flagged cells are all shown: they are the page's purpose.
  int max_cells_per_class = 200;
  // Cell path (as in CellPrediction::path) -> its heatmap image, shown beside the cell.
  std::map<std::string, std::string> heatmaps;
  int threads = 0;  // for decoding the thumbnails; 0 = every core
};

// Never throws for an unreadable cell or heatmap image: its card shows a box with the reason.
std::string review_page_html(const PredictionSet& set, const ReviewPageOptions& options = {});

}  // namespace leuko::report
