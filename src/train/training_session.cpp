#include "train/training_session.h"

#include <atomic>
#include <cstdio>
#include <filesystem>

#include <opencv2/core/version.hpp>
#include <torch/torch.h>

#include "common/error.h"
#include "common/parallel.h"
#include "common/paths.h"
#include "common/remove_tree.h"
#include "data/bundled.h"
#include "data/distort.h"
#include "data/preprocess_cache.h"
#include "distributed/torch/communicator.h"
#include "distributed/torch/gradient_averager.h"
#include "distributed/torch/replicas.h"
#include "distributed/torch/sync_batch_norm.h"
#include "models/placement.h"
#include "models/registry.h"
#include "models/weights.h"
#include "train/optimizer.h"
#include "train/precision_choice.h"
#include "train/run_data.h"
#include "train/weight_average.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

// --resume continues with the split and normalisation of the first start, so only the settings
// can differ — and those must not (epochs may grow).
RunRecord settings_to_resume(TrainConfig& c, const RunDir& run) {
  if (!run.has_checkpoint()) throw UserError(run.last_checkpoint_path() + ": nothing to resume (no checkpoint yet)");
  RunRecord before = run.read_config();
  // A resumed run keeps the precision `auto` chose when it began (its config records it).
  if (c.amp == Amp::Auto) c.amp = before.config.amp;
  c.split_csv = before.config.split_csv;
  if (c.data.empty()) c.data = before.config.data;  // as first given, or the bundled set it defaulted to
  c.preprocess = before.config.preprocess;
  if (c.image_size <= 0) c.image_size = before.config.image_size;
  std::string diff;
  if (!same_training_settings(before.config, c, &diff))
    throw UserError(run.config_path() + ": --resume with other settings (" + diff + ")");
  return before;
}

// "" = --cache none.
std::string cache_folder(const TrainConfig& c) {
  return c.cache_dir == "none" ? "" : c.cache_dir.empty() ? default_cache_dir() : c.cache_dir;
}

LoaderOptions loader_options(const TrainConfig& c, const Normalisation& norm, const torch::Device& device) {
  LoaderOptions o;
  o.batch_size = c.batch;
  o.preprocess = c.preprocess;
  o.normalisation = norm;
  o.cache_dir = cache_folder(c);
  o.workers = c.workers;
  o.seed = c.seed;
  o.channels_last = c.channels_last;
  o.pin_memory = device.is_cuda();
  o.shuffle = false;
  return o;
}

LoaderOptions with_training_draws(LoaderOptions o, const TrainConfig& c, size_t train_images) {
  o.shuffle = true;
  o.drop_last = train_images > static_cast<size_t>(c.batch);  // no 1-image BatchNorm steps
  o.balanced = c.balanced_sampler;
  o.augmentation = augment_preset(c.augment);
  o.augment = o.augmentation.any();
  o.train_distortion_p = c.distortion_p;
  o.train_distortion_families = c.distortion_families.empty() && c.distortion_p > 0 ? trainable_distortion_families()
                                                                                     : c.distortion_families;
  o.train_distortion_max_severity = c.distortion_max_severity;
  return o;
}

// `--amp auto` for this run. Ranks share rank 0's choice: ranks on one machine timing at once
// would slow each other's probe, and each rank could otherwise pick another precision. The
// message is numbered by the process's trainings — every rank trains the same ones in the same
// order — not keyed by the probe, whose CPU name and thread count differ between hosts.
Amp agreed_training_amp(const TrainConfig& c, int threads, Communicator* communicator) {
  const PrecisionProbe probe{c.model, c.preset, c.image_size, c.batch, c.channels_last, threads};
  const bool cuda = c.device == Device::Cuda;
  if (!communicator) return choose_training_amp(Amp::Auto, cuda, probe, cache_folder(c), /*notes=*/true);
  static std::atomic<int> trainings{0};
  const std::string key = "amp auto/" + std::to_string(trainings++);
  Amp amp;
  if (communicator->rank() == 0) {
    amp = choose_training_amp(Amp::Auto, cuda, probe, cache_folder(c), /*notes=*/true);
    communicator->post_message(key, choice_name(amp));
  } else {
    amp = parse_choice<Amp>(communicator->await_message(key), "rank 0's --amp auto");
  }
  communicator->require_same("amp", choice_name(amp), "the precision --amp auto chose");
  return amp;
}

// Inverse class frequency, so a minority class weighs as much in the loss as a majority one.
torch::Tensor inverse_frequency_weights(const std::vector<Sample>& train, int64_t classes) {
  std::vector<double> counts(static_cast<size_t>(classes), 0);
  for (const auto& s : train) counts[static_cast<size_t>(s.label)] += 1;
  std::vector<float> w;
  for (double n : counts) w.push_back(n > 0 ? static_cast<float>(train.size() / (classes * n)) : 0.0f);
  return torch::tensor(w);
}

DataRecord data_record(const RunData& data) {
  DataRecord d;
  d.fingerprint = data.fingerprint;
  d.split_by = data.split_by;
  d.skipped_files = static_cast<int64_t>(data.skipped);
  d.train = static_cast<int64_t>(data.split("train").size());
  d.val = static_cast<int64_t>(data.split("val").size());
  d.test = static_cast<int64_t>(data.split("test").size());
  d.groups_shared = static_cast<int64_t>(data.audit.groups_shared);
  d.patients_shared = static_cast<int64_t>(data.audit.patients_shared);
  d.near_duplicate_pairs_across = static_cast<int64_t>(data.audit.near_duplicate_pairs_across);
  return d;
}

}  // namespace

TrainingSession::~TrainingSession() {
  if (communicator) synchronise_batch_norm(nullptr);
  if (own_communicator) set_current_communicator(nullptr);
}

static std::unique_ptr<TrainingSession> start_session(TrainConfig c, bool resume) {
  if (c.preset.empty()) c.preset = default_preset(c.model);
  auto s = std::make_unique<TrainingSession>(RunDir(c.out));
  s->world = world_from_environment();
  const RunDir& run = s->run;
  std::optional<RunRecord> previous;
  if (resume) previous = settings_to_resume(c, run);
  else if (run.has_checkpoint()) throw UserError(c.out + ": already holds a run; use --resume to continue it or another --out");
  if (c.data.empty() && c.split_csv.empty()) c.data = bundled_aria_dir();
  c.validate();
  // A folder holding other things would get the run's files mixed in, and the lock below clears
  // `*.tmp.*` files as an interrupted run's leftovers — a user's own among them.
  if (const std::string other = s->writes() && !run.has_config() ? run.foreign_entry() : ""; !other.empty())
    throw UserError("--out: " + c.out + " already holds files that are not a run's (e.g. " + other +
                    "); give a new or empty folder");
  if (s->writes()) {
    fs::create_directories(run.path());
    s->lock = std::make_unique<RunLock>(run.path());
    if (s->lock->removed_leftovers() > 0)
      std::fprintf(stderr, "note: %s: removed %d temporary file(s) an interrupted run left behind\n", run.path().c_str(),
                   s->lock->removed_leftovers());
  }

  // The ranks on one machine share its cores.
  const int threads = c.threads > 0 ? c.threads : std::max(1, default_thread_count() / s->world.local_size);
  at::set_num_threads(threads);
  torch::manual_seed(c.seed);
  s->device = select_device(c.device, c.deterministic);
  if (s->world.distributed()) {
    if (s->device.is_cuda()) s->device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(s->world.local_rank));
    s->communicator = current_communicator();
    if (!s->communicator) {
      s->own_communicator = Communicator::join(s->world, c.dist_backend, std::chrono::seconds(c.dist_timeout), s->device);
      s->communicator = s->own_communicator.get();
      set_current_communicator(s->communicator);
    }
  }

  RunDataRequest request;
  request.data = c.data;
  request.format = c.format;
  request.split_csv = resume ? run.split_path() : c.split_csv;
  request.by = c.split_by;
  request.val = c.val_fraction;
  request.test = c.test_fraction;
  request.seed = c.seed;
  request.threads = threads;
  request.save_split_to = resume || !s->writes() ? "" : run.split_path();
  RunData data = prepare_run_data(request);
  const auto train_samples = data.split("train"), val_samples = data.split("val");
  const int64_t classes = static_cast<int64_t>(data.dataset.classes.size());
  if (s->communicator) {
    s->communicator->require_same("data", data.fingerprint, "the training data (its fingerprint)");
    const size_t global_batch = static_cast<size_t>(c.batch) * static_cast<size_t>(s->world.size);
    if (train_samples.size() < global_batch)
      throw UserError("the training split has " + std::to_string(train_samples.size()) + " images, fewer than one global batch (" +
                      std::to_string(c.batch) + " per rank x " + std::to_string(s->world.size) + " ranks): a smaller --batch");
  }
  if (classes < 2) throw UserError("a classifier needs at least two classes; found " + std::to_string(classes));

  ModelSpec spec = describe_model(c.model, c.preset, classes, c.image_size);
  if (c.image_size <= 0) c.image_size = static_cast<int>(spec.input_size);
  c.preprocess.size = c.image_size;
  // Resolved before the run's weights are drawn (the probe restores the generator anyway) and
  // after the threads are set (it times this run's step); the run records what it chose.
  if (c.amp == Amp::Auto) c.amp = agreed_training_amp(c, threads, s->communicator);
  s->model = make_model(c.model, c.preset, classes, c.image_size);
  if (!s->model->set_drop_path_rate(c.drop_path))
    throw UserError("--drop-path: " + c.model + " has no stochastic depth (only vit-hybrid does)");
  std::string pretrained_report;
  if (!c.pretrained.empty()) {
    const LoadReport loaded = load_state(*s->model, c.pretrained);
    // Weights of another architecture match no name: training would start from scratch while the
    // user believes it fine-tunes. Refuse; a partial match is allowed, and said.
    if (loaded.loaded.empty())
      throw UserError("--pretrained " + c.pretrained + ": none of its " + std::to_string(loaded.unexpected.size()) +
                      " tensors matches a parameter of " + c.model + " (" + c.preset + ")" +
                      (loaded.unexpected.empty() ? "" : ", e.g. '" + loaded.unexpected.front() + "'") +
                      ": the weights of another model?");
    if (!loaded.missing.empty())
      std::fprintf(stderr, "warning: --pretrained %s: %zu of the model's %zu tensors are not in the file and keep their "
                   "initialisation (e.g. '%s')\n", c.pretrained.c_str(), loaded.missing.size(),
                   loaded.missing.size() + loaded.loaded.size() + loaded.skipped_head.size(), loaded.missing.front().c_str());
    pretrained_report = loaded.summary();
  }
  s->model->to(s->device);
  if (c.channels_last) use_channels_last(*s->model);
  s->peak_lr = c.lr_scaling == LrScaling::Linear ? c.lr * s->world.size : c.lr;

  LoaderOptions base = loader_options(c, Normalisation{}, s->device);
  Normalisation norm;
  if (previous) norm = previous->normalisation;
  else if (c.normalise == NormaliseWith::Dataset)
    norm = measure_normalisation(train_samples, c.preprocess, base.cache_dir, threads);
  base.normalisation = norm;
  LoaderOptions draws = with_training_draws(base, c, train_samples.size());
  if (s->world.distributed()) {
    draws.drop_last = true;  // every rank takes the same number of steps
    draws.shard_rank = s->world.rank;
    draws.shard_count = s->world.size;
  }
  s->train_loader = std::make_unique<BatchLoader>(train_samples, draws);
  s->val_loader = std::make_unique<BatchLoader>(val_samples, base);
  if (c.class_weights == ClassWeights::Auto) s->class_weights = inverse_frequency_weights(train_samples, classes).to(s->device);
  TrainConfig scaled = c;
  scaled.lr = s->peak_lr;
  s->optimizer = make_optimizer(scaled, *s->model);
  // The average starts from the weights every rank trains: on a fresh start rank 0's, made after
  // the broadcast below; on --resume the checkpoint's (every rank reads the same file).
  if (c.ema_decay > 0 && resume) s->average = std::make_unique<WeightAverage>(*s->model, c.ema_decay);
  if (resume) {
    try {
      s->state = load_checkpoint(run.last_checkpoint_path(), *s->model, *s->optimizer, s->average.get());
    } catch (const UserError&) {
      require_unchanged_architecture(previous->config.model, previous->config.preset, previous->model.description,
                                     run.config_path());
      throw;
    }
    for (const auto& e : run.read_log())
      if (e.epoch < s->state.next_epoch) s->log.push_back(e);
  }
  if (s->communicator) {
    // Rank 0's weights and statistics for everyone (a fresh start or the same checkpoint alike),
    // then each rank its own dropout draws, as timm seeds rank r with seed + r.
    broadcast_from_main(*s->communicator, *s->model);
    torch::manual_seed(c.seed + static_cast<uint64_t>(s->world.rank));
    s->gradients = std::make_unique<GradientAverager>(*s->communicator, s->model->parameters());
    if (c.sync_bn) synchronise_batch_norm(s->communicator);
  }
  if (c.ema_decay > 0 && !resume) s->average = std::make_unique<WeightAverage>(*s->model, c.ema_decay);

  RunRecord& r = s->record;
  r.config = c;
  r.classes = data.dataset.classes;
  r.image_size = c.image_size;
  r.normalisation = norm;
  r.model = {spec.params, spec.gflops, spec.input_size, spec.description};
  r.data = data_record(data);
  r.versions = {leukoscope_version(), TORCH_VERSION, CV_VERSION, leukoscope_git_commit()};
  r.pretrained_report = pretrained_report;
  r.threads = threads;
  r.world_size = s->world.size;
  r.dist_backend = s->communicator ? s->communicator->backend_name() : "none";
  r.global_batch = c.batch * s->world.size;
  r.lr_used = s->peak_lr;
  if (previous) r.training = previous->training;
  if (s->writes()) run.write_config(r);

  s->steps_per_epoch = c.max_steps_per_epoch > 0
                           ? std::min<size_t>(s->train_loader->batches_per_epoch(), static_cast<size_t>(c.max_steps_per_epoch))
                           : s->train_loader->batches_per_epoch();
  s->total_steps = s->steps_per_epoch * static_cast<size_t>(c.epochs);
  s->warmup_steps = static_cast<size_t>(c.warmup_epochs * static_cast<double>(s->steps_per_epoch));
  s->config = c;
  return s;
}

std::unique_ptr<TrainingSession> start_training_session(TrainConfig c, bool resume) {
  if (c.out.empty()) throw UserError("--out RUN is required");
  std::error_code ec;
  // Only rank 0 makes (and so may remove) the folder.
  const bool new_folder = !fs::exists(c.out, ec) && world_from_environment().is_main();
  const std::string out = c.out;
  try {
    return start_session(std::move(c), resume);
  } catch (...) {
    // A start that fails before config.json exists (bad data, a refused --pretrained) leaves no
    // half-made run folder behind — only when this call created the folder.
    if (new_folder && !RunDir(out).has_config()) remove_tree(out);
    throw;
  }
}

}  // namespace leuko
