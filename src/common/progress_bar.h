#pragma once
// Training progress on stderr: a single redrawn line with epoch, step, loss, img/s and ETA on a
// terminal; plain lines (every few seconds and at the end of each epoch) when stderr is a file or
// a pipe, so CI logs stay readable.
#include <chrono>
#include <string>

namespace leuko {

class ProgressBar {
 public:
  ProgressBar(int epochs, size_t steps_per_epoch, bool enabled = true);
  void update(int epoch, size_t step, double loss, double img_per_s);
  void end_epoch(const std::string& summary);

 private:
  int epochs_;
  size_t steps_per_epoch_;
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
  size_t steps_done_ = 0;
};

}  // namespace leuko
