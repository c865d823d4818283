#pragma once
// The images of a run: the dataset opened and validated, split (from a given split.csv or made
// fresh, grouped, and saved in the run), and a fingerprint of exactly what was used.
#include <cstdint>
#include <string>
#include <vector>

#include "data/layouts.h"
#include "data/sample.h"
#include "data/split.h"

namespace leuko {

struct RunDataRequest {
  std::string data;        // dataset folder or CSV (ignored when split_csv is given)
  DataFormat format = DataFormat::Auto;
  std::string split_csv;   // "" = make a grouped split
  SplitBy by = SplitBy::Auto;
  double val = 0.15, test = 0.15;
  uint64_t seed = 42;
  int threads = 1;
  std::string save_split_to;  // "" = do not write the split
};

struct RunData {
  Dataset dataset;  // labelled samples with split + group
  std::string split_by;  // as resolved: patient | cluster | image | official | file
  LeakageAudit audit;
  std::string fingerprint;  // sha256 over (path, size, label, split) of every sample
  size_t skipped = 0;

  std::vector<Sample> split(const std::string& name) const;  // train | val | test | all
};

// With `split_csv` the CSV is read as the dataset (its paths, labels, groups and splits);
// otherwise `data` is opened, validated and split by `by` (auto = patient when the layout has
// ids, else cluster). Either way the split is written to `save_split_to` when given.
RunData prepare_run_data(const RunDataRequest& request);

std::string data_fingerprint(const Dataset& ds);

}  // namespace leuko
