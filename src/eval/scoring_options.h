#pragma once
// How a finished run is run over images — shared by evaluate, calibrate and predict (and their
// command lines, cli/scoring_flags.h).
#include <string>

#include "common/compute_options.h"

namespace leuko {

struct ScoringOptions {
  int batch = 64;            // images per forward pass
  int threads = 0;           // 0 = all cores
  Device device = Device::Cpu;
  std::string cache_dir;     // "" = the default preprocessing cache, "none" = off
};

}  // namespace leuko
