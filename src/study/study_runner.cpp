#include "study/study_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "common/atomic_file.h"
#include "common/duration.h"
#include "common/error.h"
#include "common/parallel.h"
#include "common/paths.h"
#include "data/bundled.h"
#include "common/progress_bar.h"
#include "common/remove_tree.h"
#include "common/sha256.h"
#include "data/layouts.h"
#include "data/scan.h"
#include "data/verify.h"
#include "eval/torch/evaluate.h"
#include "eval/torch/trained_model.h"
#include "models/presets.h"
#include "study/ablation_summary.h"
#include "study/collect_results.h"
#include "study/study_ranks.h"
#include "report/render_report.h"
#include "run/run_dir.h"
#include "train/run_data.h"
#include "train/trainer.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void step_line(const std::string& step, const std::string& what) {
  std::cout << "[study] " << step << ": " << what << std::endl;
}

std::string stamp_of(const nlohmann::json& inputs) {
  const std::string text = json_text(inputs);
  return sha256_bytes(text.data(), text.size());
}

nlohmann::json read_json_or_null(const std::string& path) {
  if (!fs::exists(path)) return nullptr;
  auto j = nlohmann::json::parse(read_file_to_string(path), nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

// A run whose config.json cannot be read is not finished: the step is redone.
bool training_finished(const RunDir& run, int epochs) {
  if (!run.has_config() || !run.has_weights()) return false;
  try {
    return run.read_config().finished(epochs);
  } catch (const UserError&) {
    return false;
  }
}

// Keeps the previous run of a changed step beside the new one instead of deleting it.
void set_aside(const std::string& run, const std::string& why) {
  if (!fs::exists(run)) return;
  const std::string aside = run + ".replaced";
  remove_tree(aside);
  fs::rename(run, aside);
  step_line("train", run + ": " + why + "; the previous run is kept as " + aside);
}

// Same settings, another model: the run was trained when its preset built another architecture
// (the hybrid's `small` took batch norms on 2026-12-06). Its stamp cannot tell — the stamp holds
// settings, and a preset is a name. A finished run is asked whether its weights still load into
// today's model (a description in older wording does not count as a change); an interrupted one,
// about to be resumed, whether its recorded architecture is today's. Unreadable counts as changed:
// the run is set aside, not lost.
bool architecture_changed(const RunDir& run, const TrainConfig& c, bool finished) {
  try {
    if (finished) return !weights_fit_their_preset(run);
    const std::string trained_as = run.read_config().model.description;
    return !trained_as.empty() && trained_as != find_preset(c.model, c.preset).description();
  } catch (const UserError&) {
    return true;
  }
}

struct Context {
  const StudyOptions& options;
  const StudyConfig& config;
  std::string out;
  std::string split_csv;
  std::string split_hash;
  int threads;        // scanning, evaluation: rank 0 alone
  int train_threads;  // training: the cores of this host shared by its ranks
};

TrainConfig train_config_for(const Context& ctx, const std::string& model, const std::string& preset,
                             const nlohmann::json& overrides, const std::string& run) {
  TrainConfig c = study_train_config(ctx.config, {model, preset, overrides});
  c.data.clear();
  c.split_csv = ctx.split_csv;
  c.out = run;
  c.threads = ctx.train_threads;
  if (!ctx.options.cache_dir.empty()) c.cache_dir = ctx.options.cache_dir;
  c.validate();
  return c;
}

std::string train_stamp(const Context& ctx, const TrainConfig& c) {
  nlohmann::json j = to_json(c);
  for (const char* volatile_key : {"out", "threads", "workers", "cache_dir", "split_csv"}) j.erase(volatile_key);
  // Settings added after runs were made, stamped only when switched on: off, they train exactly
  // as before they existed, and a finished run must not be redone for a key it could not know.
  for (const char* off_when_zero : {"min_lr", "clip_grad", "ema_decay", "mixup", "cutmix", "drop_path"})
    if (j.contains(off_when_zero) && j[off_when_zero] == 0) j.erase(off_when_zero);
  return stamp_of({{"train", j}, {"split", ctx.split_hash}});
}

// Trains unless a finished run with the same stamp exists; resumes an interrupted one.
double train_step(const Context& ctx, const TrainConfig& c, const std::string& label) {
  const std::string stamp = train_stamp(ctx, c);
  const RunDir run(c.out);
  const bool stamped = run.stamp("train") == stamp;
  const bool finished = stamped && training_finished(run, c.epochs);
  const bool rebuilt = stamped && (finished || run.has_checkpoint()) && architecture_changed(run, c, finished);
  const bool same = stamped && !rebuilt;
  if (same && finished) {
    step_line("train", label + ": unchanged, reusing " + c.out);
    return 0;
  }
  bool resume = same && run.has_checkpoint();
  if (!same) set_aside(c.out, rebuilt ? "its preset now builds another architecture" : "settings or data changed");
  fs::create_directories(c.out);
  run.set_stamp("train", stamp);
  step_line("train", label + (resume ? ": resuming " : ": ") + c.model + " (" + c.preset + "), " +
                         std::to_string(c.epochs) + " epochs → " + c.out);
  auto t = Clock::now();
  TrainResult r = ctx.options.ranks ? ctx.options.ranks->train_together(c, resume, ctx.options.show_progress)
                                    : train_model(c, resume, ctx.options.show_progress);
  step_line("train", label + ": best validation macro-F1 " + std::to_string(r.best_val_f1).substr(0, 5) +
                         " at epoch " + std::to_string(r.best_epoch + 1) + " (" + format_duration(since(t)) + ")");
  return since(t);
}

// Scores `run` into the folder `out` (eval.json and its CSVs) unless an evaluation with the same
// stamp is already there.
void evaluate_step(const Context& ctx, const std::string& run, const std::string& label, const std::string& out,
                   Denoise test_time_denoise, bool distortions) {
  EvaluateOptions e;
  e.run = run;
  e.on = ctx.config.evaluation.split;
  e.distortions = distortions;
  e.tta = ctx.config.evaluation.tta;
  e.patients = ctx.config.evaluation.patients;
  e.bootstrap = ctx.config.evaluation.bootstrap;
  e.trust = ctx.config.evaluation.trust;
  e.ood = ctx.config.evaluation.ood;
  e.scoring.threads = ctx.threads;
  const RunDir scored = RunDir::existing(run);
  e.scoring.device = scored.read_config().config.device;
  e.scoring.cache_dir = ctx.options.cache_dir;
  e.out = out;
  e.test_time_denoise = test_time_denoise;
  e.show_progress = false;
  const std::string stamp = stamp_of({{"weights", sha256_file(scored.require_weights())},
                                      {"split", choice_name(ctx.config.evaluation.split)}, {"distortions", e.distortions},
                                      {"tta", e.tta}, {"patients", e.patients}, {"bootstrap", e.bootstrap},
                                      {"test_time_denoise", choice_name(test_time_denoise)},
                                      {"split_csv", ctx.split_hash}, {"trust", e.trust}, {"ood", e.ood}});
  // The stamp lives with the evaluation's files (a folder that may be the run itself).
  const RunDir stamps(out);
  const EvalFiles files(out);
  if (files.exists() && stamps.stamp("evaluate:eval.json") == stamp) {
    step_line("evaluate", label + ": unchanged, reusing " + files.report_path());
    return;
  }
  auto t = Clock::now();
  const EvalReport r = evaluate_run(e);
  stamps.set_stamp("evaluate:eval.json", stamp);
  const Interval f1_ci = r.ci95.count("f1_macro") ? r.ci95.at("f1_macro") : Interval{};
  char line[256];
  std::snprintf(line, sizeof(line), "%s: macro-F1 %.3f [%.3f, %.3f], accuracy %.3f on %ld images%s (%s)", label.c_str(),
                r.metrics.f1_macro, f1_ci.lo, f1_ci.hi, r.metrics.accuracy, r.metrics.n,
                distortions ? ", robustness sweep done" : "", format_duration(since(t)).c_str());
  step_line("evaluate", line);
}

nlohmann::json scan_and_verify(Context& ctx, const std::string& data, nlohmann::json& dataset) {
  auto t = Clock::now();
  Dataset ds = open_dataset(data, ctx.config.format);
  validate_samples(ds, ctx.threads);
  ScanSummary summary = summarise(ds);
  nlohmann::json scan = scan_to_json(ds, summary);
  write_file_atomically(ctx.out + "/scan.json", json_text(scan, 2) + "\n");
  size_t labelled = 0;
  for (const auto& s : ds.samples) labelled += s.label != kUnlabelled;
  step_line("scan", data + ": " + ds.layout + " layout, " + std::to_string(ds.classes.size()) + " classes, " +
                        std::to_string(labelled) + " labelled images, " + std::to_string(ds.skipped.size()) +
                        " skipped (" + format_duration(since(t)) + ")");
  dataset = {{"root", data}, {"layout", ds.layout}, {"skipped_files", ds.skipped.size()}, {"scan", scan}};

  if (ds.layout == "cnmc") {
    std::string manifest = ctx.config.manifest.empty() ? bundled_cnmc_manifest() : ctx.config.manifest;
    if (fs::exists(manifest)) {
      VerifyReport r = verify_against_manifest(data, manifest, ctx.threads);
      write_file_atomically(ctx.out + "/verify.json", json_text(verify_to_json(r), 2) + "\n");
      step_line("verify", std::to_string(r.ok.size()) + " ok, " +
                              (r.lossless.empty() ? "" : std::to_string(r.lossless.size()) + " lossless copies, ") +
                              std::to_string(r.mismatched.size()) + " mismatched, " +
                              std::to_string(r.missing.size()) + " missing, " + std::to_string(r.extra.size()) +
                              " extra against " + manifest + (r.all_ok() ? "" : " (a partial or altered download: the study goes on with what is there)"));
      dataset["verify"] = {{"ok", r.ok.size()}, {"lossless", r.lossless.size()}, {"mismatched", r.mismatched.size()}, {"missing", r.missing.size()},
                           {"extra", r.extra.size()}, {"manifest", manifest}};
    } else {
      step_line("verify", "skipped: no manifest at " + manifest);
    }
  } else {
    step_line("verify", "skipped: not a C-NMC tree (the manifest describes C-NMC only)");
  }
  std::string fingerprint = data_fingerprint(ds);
  return {{"fingerprint", fingerprint}};
}

void split_step(Context& ctx, const std::string& data, const nlohmann::json& scan_stamp, nlohmann::json& dataset) {
  const auto& c = ctx.config;
  const std::string stamp = stamp_of({{"data", scan_stamp}, {"by", choice_name(c.split_by)}, {"val", c.val_fraction},
                                      {"test", c.test_fraction}, {"seed", c.seed}});
  ctx.split_csv = ctx.out + "/split.csv";
  nlohmann::json previous = read_json_or_null(ctx.out + "/split.json");
  if (previous.is_object() && previous.value("stamp", "") == stamp && fs::exists(ctx.split_csv)) {
    step_line("split", "unchanged, reusing " + ctx.split_csv);
  } else {
    auto t = Clock::now();
    RunDataRequest request;
    request.data = data;
    request.format = c.format;
    request.by = c.split_by;
    request.val = c.val_fraction;
    request.test = c.test_fraction;
    request.seed = c.seed;
    request.threads = ctx.threads;
    request.save_split_to = ctx.split_csv;
    RunData rd = prepare_run_data(request);
    previous = {{"stamp", stamp},
                {"by", rd.split_by},
                {"leakage_audit", {{"groups_shared", rd.audit.groups_shared},
                                   {"patients_shared", rd.audit.patients_shared},
                                   {"near_duplicate_pairs", rd.audit.near_duplicate_pairs},
                                   {"near_duplicate_pairs_across", rd.audit.near_duplicate_pairs_across}}},
                {"train", rd.split("train").size()}, {"val", rd.split("val").size()}, {"test", rd.split("test").size()}};
    write_file_atomically(ctx.out + "/split.json", json_text(previous, 2) + "\n");
    step_line("split", "by " + rd.split_by + ": train/val/test " + std::to_string(rd.split("train").size()) + "/" +
                           std::to_string(rd.split("val").size()) + "/" + std::to_string(rd.split("test").size()) +
                           "; leakage audit: " + std::to_string(rd.audit.groups_shared) + " groups and " +
                           std::to_string(rd.audit.near_duplicate_pairs_across) +
                           " near-duplicate pairs across splits (" + format_duration(since(t)) + ")");
  }
  ctx.split_hash = sha256_file(ctx.split_csv);
  nlohmann::json from_csv = dataset_from_split_csv(ctx.split_csv);
  dataset.update(from_csv);
  dataset["split_by"] = previous["by"];
  dataset["leakage_audit"] = previous["leakage_audit"];
}

std::string strategy_description(const std::string& s, const StudyAblation& a) {
  if (s == "none") return "no denoising, no distortion augmentation";
  const std::string denoise = choice_name(a.denoise);
  if (s == "denoise") return denoise + " denoising in preprocessing, at training and test time";
  if (s == "distortion-aug")
    return "random distortions during training (p = " + std::to_string(a.distortion_p).substr(0, 4) +
           ", the six sweep families, severities 1-5)";
  if (s == "denoise+distortion-aug") return denoise + " denoising and distortion augmentation";
  return denoise + " denoising at test time only, on the model trained without it";
}

nlohmann::json ablation_step(Context& ctx, const std::map<std::string, std::string>& main_runs_by_stamp) {
  const StudyAblation& a = ctx.config.ablation;
  std::vector<AblationStrategyInput> inputs;
  std::string none_run;
  for (const auto& s : a.strategies) {
    if (s == "test-time-denoise") continue;  // evaluated below on the `none` model
    const std::string run = ctx.out + "/ablation/" + s;
    TrainConfig c = train_config_for(ctx, a.model, a.preset, a.overrides, run);
    if (s == "denoise" || s == "denoise+distortion-aug") c.preprocess.denoise = a.denoise;
    if (s == "distortion-aug" || s == "denoise+distortion-aug") {
      c.distortion_p = a.distortion_p;
      c.distortion_families.clear();  // = the trainable families of the sweep
    }
    std::string used_run = run;
    auto reuse = main_runs_by_stamp.find(train_stamp(ctx, c));
    if (reuse != main_runs_by_stamp.end()) {
      used_run = reuse->second;
      step_line("ablation", s + ": same settings as the main run " + used_run + ", reusing it");
    } else {
      train_step(ctx, c, "ablation " + s);
    }
    // A reused main run's evaluation is reused too.
    evaluate_step(ctx, used_run, "ablation " + s, used_run, Denoise::None, true);
    const RunRecord record = RunDir(used_run).read_config();
    const double seconds = record.training ? record.training->seconds : 0.0;
    inputs.push_back({s, strategy_description(s, a), used_run, used_run, seconds, to_json(c)});
    if (s == "none") none_run = used_run;
  }
  if (std::find(a.strategies.begin(), a.strategies.end(), "test-time-denoise") != a.strategies.end()) {
    if (none_run.empty()) throw UserError("ablation: test-time-denoise needs the `none` strategy (its model)");
    const EvalFiles files(ctx.out + "/ablation/test-time-denoise");
    fs::create_directories(files.dir());
    evaluate_step(ctx, none_run, "ablation test-time-denoise", files.dir(), a.denoise, true);
    inputs.push_back({"test-time-denoise", strategy_description("test-time-denoise", a), files.dir(), none_run, 0.0,
                      {{"trained_as", "none"}, {"test_time_denoise", choice_name(a.denoise)}}});
  }
  step_line("ablation", "summarising " + std::to_string(inputs.size()) + " strategies (paired bootstrap)");
  nlohmann::json summary = summarise_ablation(inputs, "none", ctx.config.evaluation.bootstrap, 11);
  summary["model"] = a.model;
  summary["preset"] = a.preset;
  return summary;
}

void print_summary(const nlohmann::json& results) {
  std::printf("\n%-22s %8s %8s %8s %8s %8s  %-16s %8s\n", "model", "acc", "prec", "recall", "F1", "AUROC",
              "F1 95% CI", "train");
  for (const auto& m : results["models"]) {
    const auto& e = m["eval"];
    char ci[40];
    std::snprintf(ci, sizeof(ci), "[%.3f, %.3f]", e["ci95"]["f1_macro"][0].get<double>(), e["ci95"]["f1_macro"][1].get<double>());
    std::printf("%-22s %8.3f %8.3f %8.3f %8.3f %8.3f  %-16s %8s\n", m["name"].get<std::string>().c_str(),
                e.value("accuracy", 0.0), e.value("precision_macro", 0.0), e.value("recall_macro", 0.0),
                e.value("f1_macro", 0.0), e.value("auroc_macro", 0.0), ci,
                format_duration(m.value("train_seconds", 0.0)).c_str());
  }
  if (results.contains("ablation")) {
    std::printf("\n%-24s %10s %12s %10s %8s\n", "ablation strategy", "clean F1", "corrupted F1", "held-out", "mCE");
    for (const auto& s : results["ablation"]["strategies"])
      std::printf("%-24s %10.3f %12.3f %10.3f %8.3f\n", s["name"].get<std::string>().c_str(), s.value("clean_f1", 0.0),
                  s.value("corrupted_f1", 0.0), s.value("held_out_f1", 0.0), s.value("mce", 0.0));
  }
  for (const auto& f : results["findings"]) std::printf("- %s\n", f.get<std::string>().c_str());
  std::fflush(stdout);
}

}  // namespace

StudyOutcome run_study(const StudyOptions& options) {
  auto t_start = Clock::now();
  const StudyConfig& config = options.config;
  const int threads = options.threads > 0 ? options.threads : default_thread_count();
  fs::create_directories(options.out);
  const int train_threads = options.threads > 0 || !options.ranks
                                ? threads
                                : std::max(1, threads / options.ranks->ranks_on_this_host());
  Context ctx{options, config, fs::absolute(options.out).lexically_normal().string(), "", "", threads, train_threads};
  const std::string data = config.data.empty() ? bundled_aria_dir() : config.data;
  step_line("config", config.name + " (" + config.source + ") → " + ctx.out);
  write_file_atomically(ctx.out + "/study.json",
                        json_text(nlohmann::json{{"config", config.to_json()}, {"command", options.command}}, 2) + "\n");

  nlohmann::json dataset;
  nlohmann::json scan_stamp = scan_and_verify(ctx, data, dataset);
  split_step(ctx, data, scan_stamp, dataset);

  StudyOutcome outcome;
  std::map<std::string, std::string> runs_by_stamp;
  std::map<std::string, int> name_uses;
  for (const auto& m : config.models) name_uses[m.model]++;
  for (const auto& m : config.models) {
    const std::string name = name_uses[m.model] > 1 ? m.model + "-" + m.preset : m.model;
    const std::string run = ctx.out + "/runs/" + name;
    TrainConfig c = train_config_for(ctx, m.model, m.preset, m.overrides, run);
    train_step(ctx, c, name);
    evaluate_step(ctx, run, name, run, Denoise::None, config.evaluation.distortions);
    runs_by_stamp[train_stamp(ctx, c)] = run;
    outcome.runs.push_back(run);
  }

  CollectOptions co;
  co.title = config.title;
  co.command = options.command;
  co.dataset = dataset;
  co.dataset.erase("scan");
  co.extra = nlohmann::json::object();
  co.extra["study"] = {{"config", config.to_json()}, {"out", ctx.out}};
  if (config.ablation.enabled) co.extra["ablation"] = ablation_step(ctx, runs_by_stamp);
  if (outcome.runs.empty()) throw UserError("the study trained no model to compare");

  step_line("compare", std::to_string(outcome.runs.size()) + " models: metrics, McNemar pairs, findings");
  nlohmann::json results = collect_results(outcome.runs, co);
  outcome.results_json = ctx.out + "/results.json";
  write_file_atomically(outcome.results_json, json_text(results, 2) + "\n");
  render_report(results, ctx.out);
  outcome.report_html = ctx.out + "/report.html";
  outcome.report_md = ctx.out + "/report.md";
  outcome.seconds = since(t_start);
  step_line("report", outcome.report_html + " (and report.md, results.json), study done in " +
                          format_duration(outcome.seconds));
  print_summary(results);
  return outcome;
}

}  // namespace leuko
