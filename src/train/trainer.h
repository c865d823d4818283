#pragma once
// `leukoscope train`: one model on one dataset into a run directory —
//   RUN/config.json       every option actually used, versions, git commit, data fingerprint, split audit
//   RUN/split.csv         the split trained on (path,label,patient,group,split)
//   RUN/log.jsonl         one line per epoch: epoch, lr, train_loss, val_loss, val_acc, val_f1_macro, seconds, img_per_s
//   RUN/best.safetensors  weights of the best validation macro-F1 (torchvision/timm names)
//   RUN/last.ckpt         weights + optimiser + epoch + RNG: what --resume continues from
// Every file is written to a temporary name and renamed, so a kill leaves the previous version.
#include <string>

#include "train/train_config.h"

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
