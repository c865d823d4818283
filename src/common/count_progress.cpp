#include "common/count_progress.h"

#include <cstdio>
#include <unistd.h>

#include "common/duration.h"

namespace leuko {

CountProgress::CountProgress(std::string what, size_t total, bool enabled, double quiet_for_s)
    : what_(std::move(what)), total_(total), enabled_(enabled), tty_(::isatty(2) != 0), quiet_for_s_(quiet_for_s),
      start_(std::chrono::steady_clock::now()), last_print_(start_) {}

CountProgress::~CountProgress() {
  if (printed_ && tty_) std::fprintf(stderr, "\n");
}

void CountProgress::advance(size_t items) {
  done_ += items;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (elapsed < quiet_for_s_ || (since < (tty_ ? 0.2 : 5.0) && done_ < total_)) return;
  last_print_ = now;
  printed_ = true;
  const double rate = elapsed > 0 ? done_ / elapsed : 0;
  const double eta = rate > 0 && total_ > done_ ? (total_ - done_) / rate : 0;
  std::fprintf(stderr, "%s%s %zu/%zu (%.0f %%) %.1f img/s ETA %s%s", tty_ ? "\r" : "", what_.c_str(), done_, total_,
               total_ ? 100.0 * done_ / total_ : 100.0, rate, format_duration(eta).c_str(), tty_ ? "\033[K" : "\n");
  std::fflush(stderr);
}

}  // namespace leuko
