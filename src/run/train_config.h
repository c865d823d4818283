#pragma once
// Every option of a training run. config.json records it in full (with versions, the git
// commit, the data fingerprint and the split), and --resume refuses a run whose settings differ.
// Closed sets of values are enums (common/choice.h): parsed once where they enter (command line,
// study configuration, a run's config.json), written back by name.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/choice.h"
#include "common/compute_options.h"
#include "data/augment.h"
#include "data/layouts.h"
#include "data/normalisation.h"
#include "data/preprocess.h"
#include "data/split.h"
#include "distributed/world.h"

namespace leuko {

class JsonReader;

enum class Optimizer { AdamW, Sgd };
LEUKO_CHOICES(Optimizer, {Optimizer::AdamW, "adamw"}, {Optimizer::Sgd, "sgd"});

// Data parallelism: linear = the peak learning rate times the number of ranks (Goyal et al.'s
// rule for a global batch that grows with them); none = --lr as given, whatever the world size.
enum class LrScaling { None, Linear };
LEUKO_CHOICES(LrScaling, {LrScaling::None, "none"}, {LrScaling::Linear, "linear"});

// auto = inverse class frequency.
enum class ClassWeights { Auto, None };
LEUKO_CHOICES(ClassWeights, {ClassWeights::Auto, "auto"}, {ClassWeights::None, "none"});

struct TrainConfig {
  std::string model = "simple-cnn";
  std::string preset;           // "" = the model's default_preset (models/presets.h)
  std::string data;             // "" = the bundled Aria subset
  DataFormat format = DataFormat::Auto;
  std::string split_csv;        // "" = make a grouped split (saved as RUN/split.csv)
  SplitBy split_by = SplitBy::Auto;
  double val_fraction = 0.15, test_fraction = 0.15;
  std::string out;

  int epochs = 10;
  int batch = 32;
  int image_size = 0;           // 0 = the preset's input size
  PreprocessConfig preprocess;  // size is filled from image_size
  NormaliseWith normalise = NormaliseWith::ImageNet;
  AugmentLevel augment = AugmentLevel::Light;  // the defaults: bench/defaults_ablation.sh
  double distortion_p = 0;      // distortion augmentation (see data/distort.h)
  std::vector<std::string> distortion_families;
  int distortion_max_severity = 5;

  Optimizer optimizer = Optimizer::AdamW;
  double lr = 1e-3;
  double weight_decay = 0.05;
  double warmup_epochs = 1;
  double min_lr = 0;             // the cosine decays to this, not to zero
  double label_smoothing = 0.1;
  ClassWeights class_weights = ClassWeights::None;
  // timm's training extras, all off by default (each measured against the defaults:
  // bench/RESULTS.md, "Training extras").
  double clip_grad = 0;         // clip the gradients' global L2 norm to this; 0 = off
  double ema_decay = 0;         // validate and keep an exponential moving average of the weights; 0 = off
  double mixup = 0;             // Beta(a, a) of mixup (Zhang et al.); 0 = off
  double cutmix = 0;            // Beta(a, a) of CutMix (Yun et al.); 0 = off; with mixup, one of the two per batch
  double drop_path = 0;         // stochastic depth of the ViT blocks, rising linearly to this (timm drop_path_rate)
  bool balanced_sampler = false;
  int early_stop = 0;           // patience in epochs on val macro-F1; 0 = off
  std::string pretrained;

  Device device = Device::Cpu;
  Amp amp = Amp::Off;
  bool channels_last = false;
  int threads = 0;              // 0 = all cores
  int workers = 2;
  uint64_t seed = 42;
  bool deterministic = false;
  int max_steps_per_epoch = 0;  // 0 = whole epoch (a cap for smoke tests)
  std::string cache_dir;        // "" = default cache; "none" = off

  // As one rank of several (distributed/world.h): --batch stays the per-rank batch.
  DistBackend dist_backend = DistBackend::Auto;
  int dist_timeout = 300;       // seconds a collective or the rendezvous may wait for a rank
  bool sync_bn = false;         // batch statistics over every rank's batch (sync_batch_norm.h)
  LrScaling lr_scaling = LrScaling::None;

  // UserError on impossible values. `name` turns a config key ("lr") into what the user wrote:
  // the command-line flag by default, "FILE: training.lr" for a configuration file.
  using OptionNamer = std::function<std::string(const std::string& key)>;
  void validate(const OptionNamer& name = cli_option_name) const;

  // The command-line flag of a config key: lr -> --lr, split_csv -> --split-file.
  static std::string cli_option_name(const std::string& key);
};

nlohmann::json to_json(const TrainConfig& c);

// Reads the keys present over the defaults; every bad value or unknown enum name is a UserError
// naming the file and key. Does not validate ranges (the caller does, with its own names).
TrainConfig train_config_from_json(const JsonReader& j);

// The settings that must agree for --resume to continue a run (everything but out/threads/workers).
bool same_training_settings(const TrainConfig& a, const TrainConfig& b, std::string* first_difference);

}  // namespace leuko
