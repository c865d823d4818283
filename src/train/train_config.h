#pragma once
// Every option of a training run. config.json records it in full (with versions, the git
// commit, the data fingerprint and the split), and --resume refuses a run whose settings differ.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/preprocess.h"

namespace leuko {

struct TrainConfig {
  std::string model = "simple-cnn";
  std::string preset = "small";
  std::string data;             // "" = the bundled Aria subset
  std::string format = "auto";
  std::string split_csv;        // "" = make a grouped split (saved as RUN/split.csv)
  std::string split_by = "auto";  // auto = patient when ids exist, else cluster
  double val_fraction = 0.15, test_fraction = 0.15;
  std::string out;

  int epochs = 10;
  int batch = 32;
  int image_size = 0;           // 0 = the preset's input size
  PreprocessConfig preprocess;  // size is filled from image_size
  std::string normalise = "imagenet";  // imagenet | dataset
  std::string augment = "standard";    // none | light | standard | strong
  double distortion_p = 0;             // distortion augmentation (see data/distort.h)
  std::vector<std::string> distortion_families;
  int distortion_max_severity = 5;

  std::string optimizer = "adamw";  // adamw | sgd
  double lr = 1e-3;
  double weight_decay = 0.05;
  double warmup_epochs = 1;
  double label_smoothing = 0;
  std::string class_weights = "auto";  // auto (inverse frequency) | none
  bool balanced_sampler = false;
  int early_stop = 0;                  // patience in epochs on val macro-F1; 0 = off
  std::string pretrained;

  std::string device = "cpu";
  std::string amp = "off";  // bf16 | off
  bool channels_last = false;
  int threads = 0;          // 0 = all cores
  int workers = 2;
  uint64_t seed = 42;
  bool deterministic = false;
  int max_steps_per_epoch = 0;  // 0 = whole epoch (a cap for smoke tests)
  std::string cache_dir;        // "" = default cache; "none" = off

  void validate() const;  // UserError on unknown names and impossible values
};

nlohmann::json to_json(const TrainConfig& c);
TrainConfig train_config_from_json(const nlohmann::json& j);

// The settings that must agree for --resume to continue a run (everything but out/threads/workers).
bool same_training_settings(const TrainConfig& a, const TrainConfig& b, std::string* first_difference);

}  // namespace leuko
