#pragma once
// RUN/log.jsonl as a type: one line per finished epoch.
#include <string>
#include <vector>

namespace leuko {

struct EpochRecord {
  int epoch = 0;  // 0-based
  double lr = 0, train_loss = 0, val_loss = 0, val_acc = 0, val_f1_macro = 0, seconds = 0, img_per_s = 0;
  // As one rank of several: seconds of the epoch's steps spent waiting for the other ranks (the
  // loss all-reduce, and the gradient buckets still in flight when backward ends). 0 alone.
  double collective_seconds = 0;
  // Seconds of the epoch's steps spent waiting for the loader's next batch: the data path's cost
  // that compute did not hide (on CUDA an upper bound of the GPU's idle time, which may still be
  // busy with the previous step's backward).
  double loader_wait_seconds = 0;
};

std::string epoch_line(const EpochRecord& e);  // one JSON object, no newline

// Every line of the log; `file` names it in errors ("RUN/log.jsonl:3: ...").
std::vector<EpochRecord> parse_training_log(const std::string& text, const std::string& file);

}  // namespace leuko
