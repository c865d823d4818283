#pragma once
// RUN/config.json as a type: every option the run was trained with, what the data was, what the
// model is, which versions made it, and — once training has finished an invocation — how it went.
// Written before the first step (a crashed run still says what it was), rewritten at the end.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/normalisation.h"
#include "run/train_config.h"

namespace leuko {

class JsonReader;

struct ModelSummary {
  int64_t params = 0;
  double gflops = 0;
  int64_t input_size = 0;
  std::string description;
};

struct DataRecord {
  std::string fingerprint;  // sha256 over (file name, size, label, split) of every sample
  std::string split_by;     // as resolved: patient | cluster | image | official | file (a given split.csv)
  int64_t skipped_files = 0;
  int64_t train = 0, val = 0, test = 0;
  int64_t groups_shared = 0, patients_shared = 0, near_duplicate_pairs_across = 0;  // the leakage audit
};

struct Versions {
  std::string leukoscope, torch, opencv, git_commit;
};

struct TrainingOutcome {
  double seconds = 0;  // over every invocation (a resumed run adds up)
  int epochs_completed = 0;
  int best_epoch = -1;
  double best_val_f1_macro = 0;
  bool early_stopped = false;
};

struct RunRecord {
  TrainConfig config;
  std::vector<std::string> classes;  // index = the model's output
  int image_size = 0;
  Normalisation normalisation;
  ModelSummary model;
  DataRecord data;
  Versions versions;
  std::string pretrained_report;
  int threads = 0;
  // Data parallelism: how many ranks trained it, over which backend, and the global batch
  // (--batch × ranks); 1, "none", --batch when it ran alone.
  int world_size = 1;
  std::string dist_backend = "none";
  int global_batch = 0;
  double lr_used = 0;  // the peak rate after --lr-scaling
  std::optional<TrainingOutcome> training;

  // Finished when it ran its epochs or stopped early, and has weights to show for it.
  bool finished(int epochs) const {
    return training && (training->epochs_completed >= epochs || training->early_stopped);
  }
};

nlohmann::json to_json(const RunRecord& r);

// UserError naming the file and key for anything missing or of the wrong type.
RunRecord run_record_from_json(const JsonReader& j);

}  // namespace leuko
