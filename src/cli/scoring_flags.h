#pragma once
// The flags of every verb that runs a finished model over images: --batch --threads --device --cache.
#include <CLI/CLI.hpp>

#include "cli/choice_option.h"
#include "eval/scoring_options.h"

namespace leuko::cli {

inline void add_scoring_flags(CLI::App* cmd, ScoringOptions& o) {
  cmd->add_option("--batch", o.batch, "images per forward pass (default 64)")->check(CLI::Range(1, 65536));
  cmd->add_option("--threads", o.threads, "intra-op and decoding threads (default: all cores)")->check(CLI::Range(0, 4096));
  add_choice(cmd, "--device", o.device, "where to run");
  cmd->add_option("--cache", o.cache_dir, "preprocessing cache folder, or none (default ~/.cache/leukoscope)");
}

}  // namespace leuko::cli
