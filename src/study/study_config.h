#pragma once
// A study configuration: which data, how to split it, which models to train with which settings,
// how to evaluate them, and optionally the distortion-handling ablation. Shipped as JSON in
// configs/ (cpu-demo, aria, paper); `study --config NAME|FILE` reads one, command-line options
// override it. The "training" object uses the keys of a run's config.json ("config" object).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leuko {

struct StudyModel {
  std::string model, preset;
  nlohmann::json overrides = nlohmann::json::object();  // training keys for this model only
};

struct StudyEvaluation {
  std::string split = "test";
  bool distortions = true;
  bool tta = false;
  bool patients = true;  // per-patient view whenever the data has patient ids
  int bootstrap = 1000;
};

// The distortion-handling ablation (issue #6): one model retrained per strategy.
struct StudyAblation {
  bool enabled = false;
  std::string model = "simple-cnn", preset = "small";
  std::vector<std::string> strategies;  // none | denoise | distortion-aug | denoise+distortion-aug | test-time-denoise
  std::string denoise = "median";       // the filter of the denoising strategies
  double distortion_p = 0.5;            // probability of a training-time distortion
  nlohmann::json overrides = nlohmann::json::object();
};

struct StudyConfig {
  std::string name = "cpu-demo";
  std::string title;
  std::string data;      // "" = the bundled Aria subset
  std::string format = "auto";
  std::string manifest;  // C-NMC manifest for `verify` ("" = the bundled one, C-NMC only)
  std::string split_by = "auto";
  double val_fraction = 0.15, test_fraction = 0.15;
  uint64_t seed = 42;
  nlohmann::json training = nlohmann::json::object();
  std::vector<StudyModel> models;
  StudyEvaluation evaluation;
  StudyAblation ablation;
  std::string source;  // the file it was read from

  nlohmann::json to_json() const;
};

// "" = cpu-demo; a bare name = configs/NAME.json; otherwise a path. UserError on unknown keys.
StudyConfig load_study_config(const std::string& name_or_path);

StudyConfig study_config_from_json(const nlohmann::json& j, const std::string& source);

// Every strategy the ablation knows, in report order.
const std::vector<std::string>& ablation_strategies();

}  // namespace leuko
