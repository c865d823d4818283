#pragma once
// The flags of every verb that runs a finished model over images: --batch --threads --device --cache.
#include <CLI/CLI.hpp>

#include "cli/choice_option.h"
#include "cli/whole_number.h"
#include "eval/scoring_options.h"

namespace leuko::cli {

// `cache_by_default` false (predict): new images are seen once, so writing their preprocessed
// copies would only cost time; --cache DIR still turns it on.
inline void add_scoring_flags(CLI::App* cmd, ScoringOptions& o, bool cache_by_default = true) {
  if (!cache_by_default) o.cache_dir = "none";
  cmd->add_option("--batch", o.batch, "images per forward pass (default 64)")->check(CLI::Range(1, 65536));
  cmd->add_option("--threads", o.threads, "intra-op and decoding threads (default: all cores)")->check(thread_count(0));
  add_choice(cmd, "--device", o.device, "where to run");
  cmd->add_option("--cache", o.cache_dir, cache_by_default ? "preprocessing cache folder, or none (default ~/.cache/leukoscope)"
                                                           : "preprocessing cache folder (default none: new images are read once)");
}

}  // namespace leuko::cli
