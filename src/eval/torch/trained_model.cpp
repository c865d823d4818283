#include "eval/torch/trained_model.h"

#include <torch/torch.h>

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

LoaderOptions scoring_loader_options(const TrainedModel& t, int batch, const std::string& cache_dir, Device device) {
  LoaderOptions l;
  l.batch_size = batch;
  l.shuffle = false;
  l.preprocess = t.record.config.preprocess;
  l.preprocess.size = t.record.image_size;
  l.normalisation = t.record.normalisation;
  l.cache_dir = cache_dir == "none" ? "" : cache_dir.empty() ? default_cache_dir() : cache_dir;
  l.channels_last = t.record.config.channels_last;
  l.pin_memory = device == Device::Cuda;
  return l;
}

}  // namespace leuko
