#pragma once
// The images of a run: the dataset opened and validated, split (from a given split.csv or made
// fresh, grouped, and saved in the run), and a fingerprint of exactly what was used.
#include <string>
#include <vector>

#include "data/sample.h"
#include "data/split.h"

namespace leuko {

struct RunData {
  Dataset dataset;  // labelled samples with split + group
  std::string split_by;
  LeakageAudit audit;
  std::string fingerprint;  // sha256 over (path, size, label, split) of every sample
  size_t skipped = 0;

  std::vector<Sample> split(const std::string& name) const;  // train | val | test | all
};

// `split_csv` empty: open `data_dir` (format auto/...), validate, split by `split_by` (auto =
// patient when the layout has ids, else cluster) and write the split to `save_split_to`.
// Otherwise the CSV is read as the dataset (its paths, labels, groups and splits).
RunData prepare_run_data(const std::string& data_dir, const std::string& format, const std::string& split_csv,
                         const std::string& split_by, double val, double test, uint64_t seed, int threads,
                         const std::string& save_split_to);

std::string data_fingerprint(const Dataset& ds);

}  // namespace leuko
