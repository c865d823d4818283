#pragma once
// `leukoscope train`: one model on one dataset into a run folder (run/run_dir.h lists its files).
// Read top to bottom: start a session (settings, data, model, loaders, optimiser; config.json
// written before the first step), then per epoch: train one epoch, validate, keep the best
// weights, log, checkpoint. Every file is written to a temporary name and renamed, so a kill
// leaves the previous version and --resume continues from the last finished epoch.
#include <string>

#include "run/train_config.h"

namespace leuko {

struct TrainResult {
  std::string run_dir;
  int epochs_run = 0;  // in this invocation
  int best_epoch = -1;
  double best_val_f1 = 0;
  bool early_stopped = false;
  double seconds = 0;
};

TrainResult train_model(TrainConfig config, bool resume, bool show_progress = true);

}  // namespace leuko
