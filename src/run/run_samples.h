#pragma once
// The labelled images a run is scored on — one split of its own split file, or another dataset —
// decoded once (unreadable files counted, not scored) and with labels re-indexed into the run's
// class order (a dataset's own indices follow its sorted class names, which may differ).
#include <string>
#include <vector>

#include "data/sample.h"

namespace leuko {

struct RunSamples {
  std::vector<Sample> samples;
  size_t skipped = 0;  // listed in the split scored but missing or unreadable
  std::string first_skipped;  // "PATH: reason" of one of them, for the warning
};

// `split` "" = every split. UserError naming `source` when a class is not one the run knows, or
// when nothing labelled is left.
RunSamples samples_in_run_order(Dataset ds, const std::vector<std::string>& run_classes, const std::string& source,
                                const std::string& split, int threads);

}  // namespace leuko
