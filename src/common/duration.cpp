#include "common/duration.h"

#include <cmath>
#include <cstdio>

namespace leuko {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "n/a";
  char buffer[64];
  if (seconds < 60) {
    std::snprintf(buffer, sizeof buffer, seconds < 10 ? "%.1fs" : "%.0fs", seconds);
    return buffer;
  }
  long total = std::lround(seconds);
  long hours = total / 3600, minutes = (total % 3600) / 60, secs = total % 60;
  if (hours > 0)
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm%02lds", hours, minutes, secs);
  else
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", minutes, secs);
  return buffer;
}

}  // namespace leuko
