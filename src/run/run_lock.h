#pragma once
// One writer per run folder. `train` (and resuming it) holds RUN/.lock with flock(2) for as long as
// it runs: a second `train --out RUN` is refused with the holder's PID instead of interleaving two
// runs' checkpoints, and because the kernel drops the lock when its process dies (kill -9
// included) a crashed run never leaves a stale lock. Taking the lock also removes the temporary
// files (NAME.tmp.PID...) a killed writer left behind: nobody else can be writing them.
#include <string>

namespace leuko {

class RunLock {
 public:
  // UserError "RUN: another leukoscope process (PID n) is writing this run ..." when held.
  explicit RunLock(const std::string& run_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  int removed_leftovers() const { return removed_; }

 private:
  int fd_ = -1;
  int removed_ = 0;
};

}  // namespace leuko
