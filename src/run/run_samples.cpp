#include "run/run_samples.h"

#include <algorithm>

#include "common/error.h"
#include "data/scan.h"

namespace leuko {

RunSamples samples_in_run_order(Dataset ds, const std::vector<std::string>& run_classes, const std::string& source,
                                const std::string& split, int threads) {
  RunSamples set;
  validate_samples(ds, threads);
  // Missing files (left out by the listing) and undecodable ones alike; of other splits, none.
  for (const auto& f : ds.skipped) {
    if (!split.empty() && !f.split.empty() && f.split != split) continue;
    if (set.skipped++ == 0) set.first_skipped = f.path + ": " + f.reason;
  }
  for (auto s : ds.samples) {
    if (s.label == kUnlabelled) continue;
    if (!split.empty() && s.split != split) continue;
    const std::string& name = ds.classes[static_cast<size_t>(s.label)];
    auto it = std::find(run_classes.begin(), run_classes.end(), name);
    if (it == run_classes.end()) throw UserError(source + ": class '" + name + "' is not one the run was trained on");
    s.label = static_cast<int>(it - run_classes.begin());
    set.samples.push_back(s);
  }
  if (set.samples.empty())
    throw UserError(source + ": no labelled images" + (split.empty() ? std::string() : " in split '" + split + "'"));
  return set;
}

}  // namespace leuko
