#pragma once
// Progress of a one-pass job over N items (predicting or explaining images) on stderr: a redrawn
// line on a terminal, a plain line every few seconds in a log. Silent for short jobs: nothing is
// printed before `quiet_for_s` has passed, so a 10-image predict stays one summary line.
#include <chrono>
#include <cstddef>
#include <string>

namespace leuko {

class CountProgress {
 public:
  CountProgress(std::string what, size_t total, bool enabled = true, double quiet_for_s = 2.0);
  ~CountProgress();  // ends a redrawn line so that the next output starts clean
  void advance(size_t items);

 private:
  std::string what_;
  size_t total_, done_ = 0;
  bool enabled_, tty_, printed_ = false;
  double quiet_for_s_;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace leuko
