#include "study/study_config.h"

#include <algorithm>
#include <filesystem>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/json_reader.h"
#include "common/paths.h"
#include "models/registry.h"
#include "run/model_recipe.h"
#include "run/train_config.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> training_keys() {
  std::vector<std::string> k;
  const nlohmann::json defaults = to_json(TrainConfig{});
  for (auto it = defaults.begin(); it != defaults.end(); ++it) k.push_back(it.key());
  for (const char* owned_by_study : {"model", "preset", "data", "format", "split_csv", "split_by", "val_fraction",
                                     "test_fraction", "out"})
    k.erase(std::find(k.begin(), k.end(), owned_by_study));
  return k;
}

std::vector<std::string> with(std::vector<std::string> keys, std::initializer_list<const char*> more) {
  keys.insert(keys.end(), more.begin(), more.end());
  return keys;
}

// Builds and range-checks one model's training settings, naming the key where it was written:
// the model's own entry when it overrides the key, else the study's "training" object.
void check_training(const StudyConfig& c, const StudyModel& m, const std::string& entry) {
  TrainConfig t = study_train_config(c, m);
  t.validate([&](const std::string& key) {
    return c.source + ": " + (m.overrides.contains(key) ? entry : std::string("training")) + "." + key;
  });
  const auto models = model_names();
  if (std::find(models.begin(), models.end(), m.model) == models.end())
    throw UserError(c.source + ": " + entry + ".model: unknown model '" + m.model + "'");
  const auto presets = preset_names(m.model);
  if (std::find(presets.begin(), presets.end(), m.preset) == presets.end())
    throw UserError(c.source + ": " + entry + ".preset: model '" + m.model + "' has no preset '" + m.preset + "'");
}

}  // namespace

const std::vector<std::string>& ablation_strategies() {
  static const std::vector<std::string> s = {"none", "denoise", "distortion-aug", "denoise+distortion-aug",
                                             "test-time-denoise"};
  return s;
}

TrainConfig study_train_config(const StudyConfig& study, const StudyModel& model) {
  nlohmann::json merged = study.training;
  merged.update(model.overrides);
  TrainConfig t = train_config_from_json(JsonReader(merged, study.source, "training"));
  t.model = model.model;
  t.preset = model.preset;
  // What neither the training block nor the model's entry sets, the model's recipe does (as for
  // `leukoscope train`).
  apply_model_recipe(t, [&merged](const std::string& key) { return merged.contains(key); });
  return t;
}

StudyConfig study_config_from_json(const nlohmann::json& json, const std::string& source) {
  const JsonReader j(json, source);
  j.require_known_keys({"name", "title", "data", "format", "manifest", "split", "training", "models", "evaluation",
                        "ablation"});
  StudyConfig c;
  c.source = source;
  c.name = j.get_or<std::string>("name", fs::path(source).stem().string());
  c.title = j.get_or<std::string>("title", "leukoscope study (" + c.name + ")");
  c.data = j.get_or<std::string>("data", "");
  c.format = j.choice_or("format", c.format);
  c.manifest = j.get_or<std::string>("manifest", "");
  if (auto s = j.optional_object("split")) {
    s->require_known_keys({"by", "val", "test", "seed"});
    c.split_by = s->choice_or("by", c.split_by);
    c.val_fraction = s->get_or("val", c.val_fraction);
    c.test_fraction = s->get_or("test", c.test_fraction);
    c.seed = s->get_or("seed", c.seed);
    if (!(c.val_fraction >= 0 && c.test_fraction >= 0 && c.val_fraction + c.test_fraction < 1))
      throw UserError(s->where("val") + ": the validation and test fractions must be >= 0 and sum to less than 1");
  }
  if (auto t = j.optional_object("training")) {
    t->require_known_keys(training_keys());
    c.training = t->raw();
  }
  if (j.has("models")) {
    const nlohmann::json& models = json.at("models");
    if (!models.is_array()) throw UserError(j.where("models") + ": expected a list");
    for (size_t i = 0; i < models.size(); ++i) {
      const std::string entry = "models[" + std::to_string(i) + "]";
      StudyModel sm;
      if (models[i].is_string()) {
        sm.model = models[i].get<std::string>();
        sm.preset = default_preset(sm.model);
      } else {
        JsonReader m(models[i], source, entry);
        m.require_known_keys(with(training_keys(), {"model", "preset"}));
        sm.model = m.get<std::string>("model");
        sm.preset = m.get_or<std::string>("preset", default_preset(sm.model));
        sm.overrides = models[i];
        sm.overrides.erase("model");
        sm.overrides.erase("preset");
      }
      c.models.push_back(sm);
    }
  } else {
    for (const char* name : {"simple-cnn", "resnet50", "vit-hybrid"}) c.models.push_back({name, default_preset(name)});
  }
  if (auto e = j.optional_object("evaluation")) {
    e->require_known_keys({"split", "distortions", "tta", "patients", "bootstrap", "trust", "ood"});
    c.evaluation.split = e->choice_or("split", c.evaluation.split);
    c.evaluation.distortions = e->get_or("distortions", c.evaluation.distortions);
    c.evaluation.tta = e->get_or("tta", c.evaluation.tta);
    c.evaluation.patients = e->get_or("patients", c.evaluation.patients);
    c.evaluation.bootstrap = e->get_or("bootstrap", c.evaluation.bootstrap);
    if (c.evaluation.bootstrap < 1) throw UserError(e->where("bootstrap") + ": must be at least 1");
    c.evaluation.trust = e->get_or("trust", c.evaluation.trust);
    c.evaluation.ood = e->get_or("ood", c.evaluation.ood);
    for (const auto& path : c.evaluation.ood)
      if (std::error_code ec; !fs::exists(path, ec))  // non-throwing: a 300-byte name is an answer too
        throw UserError(e->where("ood") + ": " + path + ": " + (ec ? ec.message() : "no such file or folder"));
  }
  if (auto a = j.optional_object("ablation")) {
    a->require_known_keys(with(training_keys(), {"enabled", "model", "preset", "strategies", "denoise", "distortion_p"}));
    c.ablation.enabled = a->get_or("enabled", true);
    c.ablation.model = a->get_or("model", c.ablation.model);
    c.ablation.preset = a->get_or("preset", default_preset(c.ablation.model));
    c.ablation.strategies = a->get_or("strategies", ablation_strategies());
    c.ablation.denoise = a->choice_or("denoise", c.ablation.denoise);
    c.ablation.distortion_p = a->get_or("distortion_p", c.ablation.distortion_p);
    if (!(c.ablation.distortion_p >= 0 && c.ablation.distortion_p <= 1))
      throw UserError(a->where("distortion_p") + ": must be within [0, 1]");
    c.ablation.overrides = a->raw();
    for (const char* k : {"enabled", "model", "preset", "strategies", "denoise", "distortion_p"}) c.ablation.overrides.erase(k);
    for (const auto& s : c.ablation.strategies)
      if (std::find(ablation_strategies().begin(), ablation_strategies().end(), s) == ablation_strategies().end())
        throw UserError(a->where("strategies") + ": unknown strategy '" + s +
                        "' (known: none, denoise, distortion-aug, denoise+distortion-aug, test-time-denoise)");
  }

  // Fail now, not an hour into training.
  for (size_t i = 0; i < c.models.size(); ++i) check_training(c, c.models[i], "models[" + std::to_string(i) + "]");
  if (c.ablation.enabled)
    check_training(c, {c.ablation.model, c.ablation.preset, c.ablation.overrides}, "ablation");
  // The ablation's runs are not compared in the report's model tables: a study without models
  // would train them all and then have nothing to compare.
  if (c.models.empty()) throw UserError(source + ": models: no models to train (a study compares at least one)");
  return c;
}

// The names `--config` takes without a path: the shipped folder's files, so the list cannot go stale.
std::string shipped_config_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(bundled_configs_dir(), ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") names.push_back(it->path().stem().string());
  std::sort(names.begin(), names.end());
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  return list.empty() ? "none found in " + bundled_configs_dir() : list;
}

StudyConfig load_study_config(const std::string& name_or_path) {
  std::string path = name_or_path.empty() ? "cpu-demo" : name_or_path;
  if (path.find('/') == std::string::npos && path.find(".json") == std::string::npos)
    path = bundled_configs_dir() + "/" + path + ".json";
  if (std::error_code ec; !fs::exists(path, ec))
    throw UserError(path + ": no such study configuration (shipped: " + shipped_config_names() + ")");
  return study_config_from_json(JsonReader::parse_file(path, /*comments=*/true), path);
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
                      {"format", choice_name(format)},
                      {"manifest", manifest},
                      {"split", {{"by", choice_name(split_by)}, {"val", val_fraction}, {"test", test_fraction}, {"seed", seed}}},
                      {"training", training},
                      {"models", models_json},
                      {"evaluation", {{"split", choice_name(evaluation.split)}, {"distortions", evaluation.distortions},
                                      {"tta", evaluation.tta}, {"patients", evaluation.patients},
                                      {"bootstrap", evaluation.bootstrap}, {"trust", evaluation.trust},
                                      {"ood", evaluation.ood}}}};
  if (ablation.enabled) {
    nlohmann::json a = ablation.overrides;
    a.update({{"enabled", true}, {"model", ablation.model}, {"preset", ablation.preset},
              {"strategies", ablation.strategies}, {"denoise", choice_name(ablation.denoise)},
              {"distortion_p", ablation.distortion_p}});
    j["ablation"] = a;
  }
  return j;
}

}  // namespace leuko
