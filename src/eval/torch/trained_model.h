#pragma once
// A finished run's model, ready to score images: built from the registry with the run's own
// model, preset, classes and input size, its best weights loaded strictly, moved to the device,
// NHWC when the run trained NHWC, in eval mode. What evaluate (and predict) start from.
#include <memory>

#include <torch/types.h>

#include "common/compute_options.h"
#include "eval/scoring_options.h"
#include "data/torch/batch_loader.h"
#include "models/model.h"
#include "run/run_dir.h"

namespace leuko {

struct TrainedModel {
  RunRecord record;
  std::shared_ptr<ClassifierModule> model;
  bool bf16 = false;  // the run trained with bf16 autocast: score the same way
  bool channels_last = false;  // the layout it is scored in (scoring_layout below)
  std::string weights_sha256;  // of the best.safetensors loaded, read before it was
};

// A run whose preset now builds another architecture (the hybrid's `small` took batch norms on
// 2026-12-06) is refused in one line naming both (models/registry.h).
TrainedModel load_trained_model(const RunDir& run, const torch::Device& device);

// Whether the run's best weights still load, strictly, into what its preset builds today: true at
// once when the recorded architecture is today's; otherwise the weights decide, so a run whose
// description merely reads differently (older wording) still counts. UserError when the run has
// no readable record or weights.
bool weights_fit_their_preset(const RunDir& run);

// A run opened for scoring: intra-op threads set, the device chosen (refused when missing), the
// model loaded. `threads` = the resolved count, for the loader and the decoders too.
struct ScoringSession {
  RunDir run;
  int threads = 1;
  torch::Device device = torch::kCPU;
  TrainedModel trained;
};
ScoringSession open_for_scoring(const std::string& run, const ScoringOptions& options);

// How a trained run sees images: its own preprocessing, input size, normalisation and memory
// format, in a fixed order, never augmented. `cache_dir` "" = the default cache, "none" = off.
LoaderOptions scoring_loader_options(const TrainedModel& t, const ScoringOptions& options);

}  // namespace leuko
