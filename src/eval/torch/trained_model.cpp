#include "eval/torch/trained_model.h"

#include <torch/torch.h>

#include "common/parallel.h"
#include "data/preprocess_cache.h"
#include "models/placement.h"
#include "models/registry.h"
#include "models/weights.h"

namespace leuko {

TrainedModel load_trained_model(const RunDir& run, const torch::Device& device) {
  TrainedModel t;
  t.record = run.read_config();
  const std::string weights = run.require_weights();
  const TrainConfig& c = t.record.config;
  t.model = make_model(c.model, c.preset, static_cast<int64_t>(t.record.classes.size()), t.record.image_size);
  LoadOptions strict;
  strict.strict = true;
  strict.skip_mismatched_head = false;
  load_state(*t.model, weights, strict);
  t.model->to(device);
  if (c.channels_last) use_channels_last(*t.model);
  t.model->eval();
  t.bf16 = c.amp == Amp::Bf16;
  return t;
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
  l.channels_last = t.record.config.channels_last;
  l.pin_memory = o.device == Device::Cuda;
  return l;
}

}  // namespace leuko
