#include "eval/torch/trained_model.h"

#include <torch/torch.h>

#include "common/parallel.h"
#include "data/preprocess_cache.h"
#include "models/placement.h"
#include "models/registry.h"
#include "models/resnet.h"
#include "models/simple_cnn.h"
#include "models/weights.h"

namespace leuko {

TrainedModel load_trained_model(const RunDir& run, const torch::Device& device) {
  TrainedModel t;
  t.record = run.read_config();
  const std::string weights = run.require_weights();
  // Before loading: should training replace the file in between, the record names the older
  // weights and readers call the result stale — never the other way round.
  t.weights_sha256 = run.weights_sha256();
  const TrainConfig& c = t.record.config;
  t.model = make_model(c.model, c.preset, static_cast<int64_t>(t.record.classes.size()), t.record.image_size);
  LoadOptions strict;
  strict.strict = true;
  strict.skip_mismatched_head = false;
  try {
    load_state(*t.model, weights, strict);
  } catch (const UserError&) {
    require_unchanged_architecture(c.model, c.preset, t.record.model.description, run.config_path());
    throw;
  }
  t.model->to(device);
  // Scoring is free to pick its own layout and to fold batch norms: neither changes the result
  // beyond float rounding. NHWC for the CNNs (simple-cnn paper forward 39 -> 51 img/s on a
  // 2-core AVX2 CPU; resnet50 the same either way), the run's own layout for the hybrid.
  const bool cnn = dynamic_cast<SimpleCnn*>(t.model.get()) || dynamic_cast<ResNet*>(t.model.get());
  t.channels_last = c.channels_last || cnn;
  if (t.channels_last) use_channels_last(*t.model);
  t.model->eval();
  if (auto* simple = dynamic_cast<SimpleCnn*>(t.model.get())) simple->fuse_batch_norm();
  if (auto* resnet = dynamic_cast<ResNet*>(t.model.get())) resnet->fuse_batch_norm();
  t.bf16 = c.amp == Amp::Bf16;
  return t;
}

bool weights_fit_their_preset(const RunDir& run) {
  const RunRecord record = run.read_config();
  const TrainConfig& c = record.config;
  if (record.model.description == find_preset(c.model, c.preset).description()) return true;
  try {
    auto model = make_model(c.model, c.preset, static_cast<int64_t>(record.classes.size()), record.image_size);
    LoadOptions strict;
    strict.strict = true;
    strict.skip_mismatched_head = false;
    load_state(*model, run.require_weights(), strict);
    return true;
  } catch (const UserError&) {
    return false;
  }
}

ScoringSession open_for_scoring(const std::string& run, const ScoringOptions& o) {
  ScoringSession s{RunDir::existing(run)};
  s.threads = o.threads > 0 ? o.threads : default_thread_count();
  at::set_num_threads(s.threads);
  s.device = select_device(o.device);
  s.trained = load_trained_model(s.run, s.device);
  return s;
}

LoaderOptions scoring_loader_options(const TrainedModel& t, const ScoringOptions& o) {
  LoaderOptions l;
  l.batch_size = o.batch;
  l.shuffle = false;
  l.preprocess = t.record.config.preprocess;
  l.preprocess.size = t.record.image_size;
  l.normalisation = t.record.normalisation;
  l.cache_dir = o.cache_dir == "none" ? "" : o.cache_dir.empty() ? default_cache_dir() : o.cache_dir;
  l.channels_last = t.channels_last;
  l.pin_memory = o.device == Device::Cuda;
  return l;
}

}  // namespace leuko
