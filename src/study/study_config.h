#pragma once
// A study configuration: which data, how to split it, which models to train with which settings,
// how to evaluate them, and optionally the distortion-handling ablation. Shipped as JSON in
// configs/ (cpu-demo, aria, paper, smoke); `study --config NAME|FILE` reads one, command-line options
// override it. The "training" object uses the keys of a run's config.json ("config" object).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/layouts.h"
#include "data/preprocess.h"
#include "data/split.h"
#include "eval/torch/evaluate.h"
#include "run/train_config.h"

namespace leuko {

struct StudyModel {
  std::string model, preset;
  nlohmann::json overrides = nlohmann::json::object();  // training keys for this model only
};

struct StudyEvaluation {
  EvalSplit split = EvalSplit::Test;
  bool distortions = true;
  bool tta = false;
  bool patients = true;  // per-patient view whenever the data has patient ids
  int bootstrap = 1000;
  bool trust = false;            // the review rule of `predict` measured on the test split
  std::vector<std::string> ood;  // images the models never saw: how well each trust score spots them
};

// The distortion-handling ablation (issue #6): one model retrained per strategy.
struct StudyAblation {
  bool enabled = false;
  std::string model = "simple-cnn", preset = "base";
  std::vector<std::string> strategies;  // none | denoise | distortion-aug | denoise+distortion-aug | test-time-denoise
  Denoise denoise = Denoise::Median;    // the filter of the denoising strategies
  double distortion_p = 0.5;            // probability of a training-time distortion
  nlohmann::json overrides = nlohmann::json::object();
};

struct StudyConfig {
  std::string name = "cpu-demo";
  std::string title;
  std::string data;      // "" = the bundled Aria subset
  DataFormat format = DataFormat::Auto;
  std::string manifest;  // C-NMC manifest for `verify` ("" = the bundled one, C-NMC only)
  SplitBy split_by = SplitBy::Auto;
  double val_fraction = 0.15, test_fraction = 0.15;
  uint64_t seed = 42;
  nlohmann::json training = nlohmann::json::object();
  std::vector<StudyModel> models;
  StudyEvaluation evaluation;
  StudyAblation ablation;
  std::string source;  // the file it was read from

  nlohmann::json to_json() const;
};

// "" = cpu-demo; a bare name = configs/NAME.json; otherwise a path.
StudyConfig load_study_config(const std::string& name_or_path);

// Everything is checked here, before any work: unknown keys, wrong types, unknown names, and the
// training settings of every model and of the ablation (ranges included) — each error one
// UserError naming the file and the key ("configs/x.json: training.batch: must be at least 1").
StudyConfig study_config_from_json(const nlohmann::json& j, const std::string& source);

// A model's training settings: the study's "training" object, then the model's own overrides.
TrainConfig study_train_config(const StudyConfig& study, const StudyModel& model);

// Every strategy the ablation knows, in report order.
const std::vector<std::string>& ablation_strategies();

}  // namespace leuko
