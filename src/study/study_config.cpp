#include "study/study_config.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/paths.h"
#include "models/registry.h"
#include "train/train_config.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

// A misspelt key would silently fall back to a default: refuse it instead.
void require_known_keys(const nlohmann::json& j, const std::set<std::string>& known, const std::string& where) {
  if (!j.is_object()) throw UserError(where + ": expected a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.count(it.key()) && it.key().rfind("_", 0) != 0)  // "_comment" and friends are allowed
      throw UserError(where + ": unknown key '" + it.key() + "'");
}

const std::set<std::string>& training_keys() {
  static const std::set<std::string> keys = [] {
    std::set<std::string> k;
    const nlohmann::json defaults = to_json(TrainConfig{});
    for (auto it = defaults.begin(); it != defaults.end(); ++it) k.insert(it.key());
    for (const char* owned_by_study : {"model", "preset", "data", "format", "split_csv", "split_by", "val_fraction",
                                       "test_fraction", "out"})
      k.erase(owned_by_study);
    return k;
  }();
  return keys;
}

}  // namespace

const std::vector<std::string>& ablation_strategies() {
  static const std::vector<std::string> s = {"none", "denoise", "distortion-aug", "denoise+distortion-aug",
                                             "test-time-denoise"};
  return s;
}

StudyConfig study_config_from_json(const nlohmann::json& j, const std::string& source) {
  require_known_keys(j, {"name", "title", "data", "format", "manifest", "split", "training", "models", "evaluation",
                         "ablation"}, source);
  StudyConfig c;
  c.source = source;
  c.name = j.value("name", fs::path(source).stem().string());
  c.title = j.value("title", "leukoscope study (" + c.name + ")");
  c.data = j.value("data", "");
  c.format = j.value("format", "auto");
  c.manifest = j.value("manifest", "");
  if (j.contains("split")) {
    const auto& s = j["split"];
    require_known_keys(s, {"by", "val", "test", "seed"}, source + ": split");
    c.split_by = s.value("by", c.split_by);
    c.val_fraction = s.value("val", c.val_fraction);
    c.test_fraction = s.value("test", c.test_fraction);
    c.seed = s.value("seed", c.seed);
  }
  if (j.contains("training")) {
    require_known_keys(j["training"], training_keys(), source + ": training");
    c.training = j["training"];
  }
  if (j.contains("models")) {
    for (const auto& m : j["models"]) {
      StudyModel sm;
      if (m.is_string()) {
        sm.model = m.get<std::string>();
        sm.preset = "small";
      } else {
        std::set<std::string> known = training_keys();
        known.insert({"model", "preset"});
        require_known_keys(m, known, source + ": models");
        sm.model = m.value("model", "");
        sm.preset = m.value("preset", "small");
        sm.overrides = m;
        sm.overrides.erase("model");
        sm.overrides.erase("preset");
      }
      c.models.push_back(sm);
    }
  } else {
    for (const char* name : {"simple-cnn", "resnet50", "vit-hybrid"}) c.models.push_back({name, "small"});
  }
  if (j.contains("evaluation")) {
    const auto& e = j["evaluation"];
    require_known_keys(e, {"split", "distortions", "tta", "patients", "bootstrap"}, source + ": evaluation");
    c.evaluation.split = e.value("split", c.evaluation.split);
    c.evaluation.distortions = e.value("distortions", c.evaluation.distortions);
    c.evaluation.tta = e.value("tta", c.evaluation.tta);
    c.evaluation.patients = e.value("patients", c.evaluation.patients);
    c.evaluation.bootstrap = e.value("bootstrap", c.evaluation.bootstrap);
  }
  if (j.contains("ablation") && !j["ablation"].is_null()) {
    const auto& a = j["ablation"];
    std::set<std::string> known = training_keys();
    known.insert({"enabled", "model", "preset", "strategies", "denoise", "distortion_p"});
    require_known_keys(a, known, source + ": ablation");
    c.ablation.enabled = a.value("enabled", true);
    c.ablation.model = a.value("model", c.ablation.model);
    c.ablation.preset = a.value("preset", c.ablation.preset);
    c.ablation.strategies = a.value("strategies", ablation_strategies());
    c.ablation.denoise = a.value("denoise", c.ablation.denoise);
    c.ablation.distortion_p = a.value("distortion_p", c.ablation.distortion_p);
    c.ablation.overrides = a;
    for (const char* k : {"enabled", "model", "preset", "strategies", "denoise", "distortion_p"}) c.ablation.overrides.erase(k);
  }

  // Fail now, not an hour into training.
  const auto known_models = model_names();
  for (const auto& m : c.models) {
    if (std::find(known_models.begin(), known_models.end(), m.model) == known_models.end())
      throw UserError(source + ": unknown model '" + m.model + "'");
    const auto presets = preset_names(m.model);
    if (std::find(presets.begin(), presets.end(), m.preset) == presets.end())
      throw UserError(source + ": model '" + m.model + "' has no preset '" + m.preset + "'");
  }
  for (const auto& s : c.ablation.strategies)
    if (std::find(ablation_strategies().begin(), ablation_strategies().end(), s) == ablation_strategies().end())
      throw UserError(source + ": unknown ablation strategy '" + s + "' (known: none, denoise, distortion-aug, "
                      "denoise+distortion-aug, test-time-denoise)");
  if (c.models.empty() && !c.ablation.enabled) throw UserError(source + ": no models to train");
  return c;
}

StudyConfig load_study_config(const std::string& name_or_path) {
  std::string path = name_or_path.empty() ? "cpu-demo" : name_or_path;
  if (path.find('/') == std::string::npos && path.find(".json") == std::string::npos)
    path = bundled_configs_dir() + "/" + path + ".json";
  if (!fs::exists(path)) throw UserError(path + ": no such study configuration (shipped: cpu-demo, aria, paper)");
  auto j = nlohmann::json::parse(read_file_to_string(path), nullptr, false, true);
  if (j.is_discarded()) throw UserError(path + ": not valid JSON");
  return study_config_from_json(j, path);
}

nlohmann::json StudyConfig::to_json() const {
  nlohmann::json models_json = nlohmann::json::array();
  for (const auto& m : models) {
    nlohmann::json e = m.overrides;
    e["model"] = m.model;
    e["preset"] = m.preset;
    models_json.push_back(e);
  }
  nlohmann::json j = {{"name", name},
                      {"title", title},
                      {"data", data},
                      {"format", format},
                      {"manifest", manifest},
                      {"split", {{"by", split_by}, {"val", val_fraction}, {"test", test_fraction}, {"seed", seed}}},
                      {"training", training},
                      {"models", models_json},
                      {"evaluation", {{"split", evaluation.split}, {"distortions", evaluation.distortions},
                                      {"tta", evaluation.tta}, {"patients", evaluation.patients},
                                      {"bootstrap", evaluation.bootstrap}}}};
  if (ablation.enabled) {
    nlohmann::json a = ablation.overrides;
    a.update({{"enabled", true}, {"model", ablation.model}, {"preset", ablation.preset},
              {"strategies", ablation.strategies}, {"denoise", ablation.denoise},
              {"distortion_p", ablation.distortion_p}});
    j["ablation"] = a;
  }
  return j;
}

}  // namespace leuko
