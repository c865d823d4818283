#include "common/progress_bar.h"

#include <cstdio>
#include <unistd.h>

#include "common/duration.h"

namespace leuko {

ProgressBar::ProgressBar(int epochs, size_t steps_per_epoch, bool enabled)
    : epochs_(epochs), steps_per_epoch_(steps_per_epoch), enabled_(enabled), tty_(::isatty(2) != 0),
      start_(std::chrono::steady_clock::now()), last_print_(start_) {}

void ProgressBar::update(int epoch, size_t step, double loss, double img_per_s) {
  ++steps_done_;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_print_).count();
  if (!tty_ && since < 5.0) return;
  if (tty_ && since < 0.1 && step + 1 < steps_per_epoch_) return;
  last_print_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  size_t total = static_cast<size_t>(epochs_) * steps_per_epoch_;
  size_t remaining_steps = total > steps_done_ ? total - steps_done_ : 0;
  double eta = steps_done_ ? elapsed / steps_done_ * remaining_steps : 0;
  const int width = 24;
  int filled = steps_per_epoch_ ? static_cast<int>(width * (step + 1) / steps_per_epoch_) : width;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "%sepoch %d/%d [%s] %zu/%zu loss %.4f %.1f img/s ETA %s%s", tty_ ? "\r" : "", epoch + 1,
               epochs_, bar.c_str(), step + 1, steps_per_epoch_, loss, img_per_s, format_duration(eta).c_str(),
               tty_ ? "\033[K" : "\n");
  std::fflush(stderr);
}

void ProgressBar::end_epoch(const std::string& summary) {
  if (!enabled_) return;
  std::fprintf(stderr, "%s%s\n", tty_ ? "\r\033[K" : "", summary.c_str());
  std::fflush(stderr);
}

}  // namespace leuko
