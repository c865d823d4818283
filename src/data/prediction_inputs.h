#pragma once
// What `predict` is pointed at, as a list of unlabelled Samples: image files, folders (searched
// recursively for image files), or a CSV manifest with a `path` column and an optional
// `patient` column (paths relative to the CSV's folder). The patient comes from the CSV, else
// from a C-NMC file name (UID_<patient>_...), else stays unknown. Files that are not there or not
// regular files are listed in `skipped` with the reason, never fatal on their own. Nothing is
// decoded here: the loader decodes each image once and lists those that fail
// (LoaderOptions::skip_unreadable) — decoding twice would double the cost of a prediction.
#include <string>
#include <vector>

#include "data/sample.h"

namespace leuko {

// UserError only when an input names nothing at all (no such file or folder).
Dataset gather_prediction_inputs(const std::vector<std::string>& inputs);

}  // namespace leuko
