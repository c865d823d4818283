// `leukoscope study`: the paper in one command (see study/study_runner.h for the steps).
#include "cli/verbs.h"

#include <algorithm>
#include <iostream>

#include "cli/choice_option.h"
#include "common/error.h"
#include "distributed/torch/communicator.h"
#include "distributed/world.h"
#include "models/placement.h"
#include "study/study_ranks.h"
#include "study/study_runner.h"

namespace leuko::cli {

void add_study_verb(CLI::App& app, const std::string* command_line) {
  struct Options {
    std::string config, data, out = "study-out", preset, ablation, cache;
    std::optional<DataFormat> format;
    std::vector<std::string> models;
    std::optional<int> epochs;
    std::optional<uint64_t> seed;
    std::vector<std::string> ood;
    int threads = 0;
    std::optional<Device> device;
    std::optional<Amp> amp;
    bool quiet = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("study", "the paper in one command: split, train all three models, evaluate, compare, report");
  cmd->add_option("--config", o->config, "cpu-demo (default) | aria | cnmc-cpu | paper | smoke | a JSON file (see configs/)");
  cmd->add_option("--data", o->data, "dataset folder or CSV (default: the configuration's; cpu-demo: the bundled Aria subset)");
  add_choice(cmd, "--format", o->format, "dataset layout (default: the configuration's)");
  cmd->add_option("--out", o->out, "study folder (default study-out); a re-run reuses its finished steps");
  cmd->add_option("--models", o->models, "models to train (default: the configuration's)");
  cmd->add_option("--preset", o->preset, "one preset for every model (paper | paper-384 | small | tiny; default: each model's own)");
  cmd->add_option("--epochs", o->epochs, "override the configuration's epochs");
  cmd->add_option("--ablation", o->ablation, "distortions: also run the distortion-handling ablation")
      ->check(CLI::IsMember({"distortions", "none"}));
  add_choice(cmd, "--device", o->device, "where to train and evaluate (default: the configuration's)");
  add_choice(cmd, "--amp", o->amp, "bfloat16 autocast (default: the configuration's)");
  cmd->add_option("--threads", o->threads, "intra-op threads (default: all cores)");
  cmd->add_option("--ood", o->ood, "images the models never saw: the trust section measures how well each score spots them");
  cmd->add_option("--seed", o->seed, "seed of the split and of every training (default: the configuration's)");
  cmd->add_option("--cache", o->cache, "preprocessing cache folder, or none (default ~/.cache/leukoscope)");
  cmd->add_flag("--quiet", o->quiet, "no training progress bar");
  cmd->callback([o, command_line] {
    StudyOptions s;
    s.config = load_study_config(o->config);
    auto& c = s.config;
    if (!o->data.empty()) c.data = o->data;
    if (o->format) c.format = *o->format;
    if (!o->models.empty()) {
      std::vector<StudyModel> chosen;
      for (const auto& name : o->models) {
        auto it = std::find_if(c.models.begin(), c.models.end(), [&](const StudyModel& m) { return m.model == name; });
        chosen.push_back(it != c.models.end() ? *it : StudyModel{name, "small"});
      }
      c.models = chosen;
    }
    if (!o->preset.empty()) {
      for (auto& m : c.models) m.preset = o->preset;
      c.ablation.preset = o->preset;
    }
    if (o->epochs && *o->epochs < 1) throw UserError("--epochs: must be at least 1");
    if (o->epochs) c.training["epochs"] = *o->epochs;
    if (!o->ood.empty()) {
      c.evaluation.trust = true;
      c.evaluation.ood = o->ood;
    }
    if (o->seed) {
      c.seed = *o->seed;
      c.training["seed"] = *o->seed;
    }
    if (o->device) c.training["device"] = choice_name(*o->device);
    if (o->amp) c.training["amp"] = choice_name(*o->amp);
    if (o->ablation == "distortions" && !c.ablation.enabled) {
      c.ablation.enabled = true;
      if (c.ablation.strategies.empty()) c.ablation.strategies = ablation_strategies();
    }
    if (o->ablation == "none") c.ablation.enabled = false;
    // Re-validate what the overrides produced (unknown models, presets, ranges).
    c = study_config_from_json(c.to_json(), c.source);
    s.out = o->out;
    s.command = command_line ? *command_line : "leukoscope study";
    s.cache_dir = o->cache;
    s.threads = o->threads;
    s.show_progress = !o->quiet;
    const World world = world_from_environment();
    if (!world.distributed()) {
      run_study(s);
      return;
    }
    // One rank of several: one world for the whole study, joined the way its trainings would.
    const TrainConfig first = study_train_config(c, c.models.front());
    torch::Device device = select_device(first.device, first.deterministic);
    if (device.is_cuda()) device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(world.local_rank));
    const auto communicator =
        Communicator::join(world, first.dist_backend, std::chrono::seconds(first.dist_timeout), device);
    StudyRanks ranks(*communicator);
    if (!world.is_main()) {
      ranks.follow(o->threads);
      return;
    }
    s.ranks = &ranks;
    try {
      run_study(s);
    } catch (const std::exception& e) {
      ranks.finish(e.what());
      throw;
    }
    ranks.finish();
  });
}

}  // namespace leuko::cli
