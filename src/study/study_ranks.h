#pragma once
// `study` as one rank of N (torchrun, SLURM, `launch`). Rank 0 runs the study's steps as it does
// alone; each training it starts is sent to the other ranks through the rendezvous store, and all
// ranks train it together with train's data-parallel step, in one world for the whole study.
// Scan, split, evaluation and the report stay rank 0's: they are minutes against the trainings'
// hours, and their results are files only rank 0 writes.
#include <string>

#include "run/train_config.h"
#include "train/trainer.h"

namespace leuko {

class Communicator;

class StudyRanks {
 public:
  explicit StudyRanks(Communicator& communicator) : communicator_(communicator) {}

  // Rank 0: every rank trains `config` (resumed from its checkpoint when `resume`) with it.
  TrainResult train_together(const TrainConfig& config, bool resume, bool show_progress);
  // Rank 0, last: tells the others the study is over; `error` is rank 0's when it failed.
  void finish(const std::string& error = "");

  // The other ranks: train what rank 0 sends until it says the study is over (UserError when it
  // failed, or stopped answering). `threads` is this rank's --threads (0 = its cores / ranks here).
  void follow(int threads);

  int ranks_on_this_host() const;

 private:
  std::string next_key() { return "study/" + std::to_string(sent_++); }
  static std::string read_key(int rank) { return "study/end-read-by/" + std::to_string(rank); }

  Communicator& communicator_;
  int sent_ = 0;
};

}  // namespace leuko
