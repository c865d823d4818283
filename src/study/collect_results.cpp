#include "study/collect_results.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/json_text.h"
#include "common/paths.h"
#include "data/csv.h"
#include "eval/roc_curve.h"
#include "eval/statistics.h"
#include "run/run_dir.h"
#include "study/findings.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

// A run's clean predictions; none when it was scored before evaluate wrote them.
PredictionTable optional_predictions(const std::string& run_dir, const std::vector<std::string>& classes) {
  return RunDir(run_dir).eval().read_predictions(classes);
}

std::string utc_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

}  // namespace

nlohmann::json paper_reference() {
  return {{"model", "vit-hybrid"},
          {"accuracy", 0.89},
          {"precision_macro", 0.88},
          {"recall_macro", 0.90},
          {"f1_macro", 0.89},
          {"note", "ViT Hybrid (R50+ViT-B/16) as reported in the reference paper, on C-NMC with its own split; "
                   "for orientation only: other data, split and training budget"}};
}

nlohmann::json collect_model(const std::string& run_dir) {
  const RunDir run = RunDir::existing(run_dir);
  const RunRecord config = run.read_config();
  const EvalFiles files = run.eval();
  if (!files.exists()) throw UserError(files.report_path() + ": missing (run `leukoscope evaluate " + run_dir + "` first)");
  const EvalReport eval = files.read_report();
  run.require_same_weights(eval.weights_sha256, files.report_path(), "evaluate");
  nlohmann::json m = {{"name", config.config.model},
                      {"preset", config.config.preset},
                      {"run", fs::absolute(run_dir).lexically_normal().string()},
                      {"input_size", config.image_size},
                      {"seed", config.config.seed},
                      {"inference_seconds", eval.seconds_inference},
                      {"eval", to_json(eval)},
                      {"parameters", config.model.params},
                      {"gflops", config.model.gflops},
                      {"description", config.model.description}};
  if (config.training) {
    m["train_seconds"] = config.training->seconds;
    m["epochs"] = config.training->epochs_completed;
    m["best_epoch"] = config.training->best_epoch;
    m["early_stopped"] = config.training->early_stopped;
  }
  nlohmann::json curves = nlohmann::json::array();
  for (const auto& e : run.read_log()) curves.push_back(nlohmann::json::parse(epoch_line(e)));
  m["curves"] = curves;

  const auto& classes = eval.classes;
  const PredictionTable t = optional_predictions(run_dir, classes);
  nlohmann::json roc = nlohmann::json::object();
  for (size_t k = 0; k < classes.size() && !t.rows.empty(); ++k) {
    std::vector<float> scores;
    std::vector<bool> positive;
    for (const auto& row : t.rows) {
      scores.push_back(row.probs[k]);
      positive.push_back(row.label == classes[k]);
    }
    nlohmann::json points = nlohmann::json::array();
    for (const auto& [fpr, tpr] : roc_curve(scores, positive)) points.push_back({fpr, tpr});
    roc[classes[k]] = points;
  }
  m["roc"] = roc;
  return m;
}

nlohmann::json pairwise_mcnemar(const std::vector<std::string>& run_dirs, const std::vector<std::string>& names) {
  // Per run: image path -> (label, predicted), in path order.
  std::vector<std::map<std::string, std::pair<std::string, std::string>>> by_path(run_dirs.size());
  for (size_t r = 0; r < run_dirs.size(); ++r)
    for (const auto& row : optional_predictions(run_dirs[r], {}).rows) by_path[r][row.path] = {row.label, row.predicted};
  nlohmann::json pairs = nlohmann::json::array();
  for (size_t a = 0; a < run_dirs.size(); ++a)
    for (size_t b = a + 1; b < run_dirs.size(); ++b) {
      const auto &pa = by_path[a], &pb = by_path[b];
      nlohmann::json pair = {{"a", names[a]}, {"b", names[b]}};
      bool same_images = !pa.empty() && pa.size() == pb.size() &&
                         std::equal(pa.begin(), pa.end(), pb.begin(), [](const auto& x, const auto& y) {
                           return x.first == y.first && x.second.first == y.second.first;
                         });
      if (!same_images) {
        pair["comparable"] = false;
        pair["reason"] = "not scored on the same labelled images";
        pairs.push_back(pair);
        continue;
      }
      std::vector<bool> a_right, b_right;
      for (const auto& [path, la] : pa) {
        a_right.push_back(la.second == la.first);
        b_right.push_back(pb.at(path).second == pb.at(path).first);
      }
      McNemar mc = mcnemar_from_correct(a_right, b_right);
      pair.update({{"comparable", true}, {"n", a_right.size()}, {"both_correct", mc.both_right},
                   {"a_only_correct", mc.only_a_right}, {"b_only_correct", mc.only_b_right},
                   {"both_wrong", mc.both_wrong}, {"p_value", mc.p_value}});
      pairs.push_back(pair);
    }
  return pairs;
}

nlohmann::json dataset_from_split_csv(const std::string& split_csv) {
  CsvTable csv = read_csv(split_csv);
  const int label_col = csv.column("label"), split_col = csv.column("split"), patient_col = csv.column("patient");
  if (label_col < 0 || split_col < 0) throw UserError(split_csv + ": needs columns label and split");
  std::map<std::string, std::map<std::string, int>> counts;
  std::map<std::string, std::set<std::string>> patients;
  std::set<std::string> classes;
  for (const auto& row : csv.rows) {
    counts[row[split_col]][row[label_col]]++;
    classes.insert(row[label_col]);
    if (patient_col >= 0 && !row[patient_col].empty()) patients[row[split_col]].insert(row[patient_col]);
  }
  nlohmann::json d = {{"classes", std::vector<std::string>(classes.begin(), classes.end())}, {"counts", counts},
                      {"split_csv", split_csv}};
  if (!patients.empty()) {
    nlohmann::json p = nlohmann::json::object();
    for (const auto& [split, ids] : patients) p[split] = ids.size();
    d["patients"] = p;
  }
  return d;
}

nlohmann::json collect_results(const std::vector<std::string>& run_dirs, const CollectOptions& o) {
  if (run_dirs.empty()) throw UserError("no runs to compare");
  nlohmann::json models = nlohmann::json::array();
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& dir : run_dirs) {
    nlohmann::json m = collect_model(dir);
    std::string name = m["name"];
    // Two runs of one architecture (other presets or seeds) need distinct names in every table.
    if (seen.count(name)) name += " (" + fs::path(dir).filename().string() + ")";
    seen.insert(name);
    m["name"] = name;
    names.push_back(name);
    models.push_back(m);
  }
  // Ranking runs only means something on the same classes and the same images (the paths each
  // run's eval-predictions.csv lists; two runs of one seed have equal splits in different files).
  std::vector<std::string> warnings;
  const nlohmann::json& e0 = models.front()["eval"];
  auto images_of = [&](size_t i) {
    std::vector<std::string> paths;
    for (const auto& row : optional_predictions(run_dirs[i], models[i]["eval"]["classes"].get<std::vector<std::string>>()).rows)
      paths.push_back(row.path);
    std::sort(paths.begin(), paths.end());
    return paths;
  };
  const std::vector<std::string> first_images = images_of(0);
  for (size_t i = 1; i < models.size(); ++i) {
    const nlohmann::json& e = models[i]["eval"];
    if (e["classes"] != e0["classes"])
      throw UserError(run_dirs[i] + ": evaluated on classes " + json_text(e["classes"]) + ", " + run_dirs[0] + " on " +
                      json_text(e0["classes"]) + ": runs of different tasks cannot be compared");
    if (images_of(i) != first_images)
      warnings.push_back(run_dirs[i] + " was evaluated on " + e.value("split", "?") + " of " + e.value("data", "?") + " (" +
                         std::to_string(e.value("n", 0)) + " images), " + run_dirs[0] + " on " + e0.value("split", "?") +
                         " of " + e0.value("data", "?") + " (" + std::to_string(e0.value("n", 0)) +
                         " images): their figures are not on the same images");
  }
  for (const auto& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  const RunDir first(run_dirs.front());
  const RunRecord first_config = first.read_config();
  nlohmann::json results = {{"schema", "leukoscope-results/1"},
                            {"title", o.title},
                            {"generated", utc_now()},
                            {"leukoscope_version", leukoscope_version()},
                            {"git_commit", leukoscope_git_commit()},
                            {"command", o.command},
                            {"paper_reference", paper_reference()},
                            {"models", models},
                            {"pairwise", pairwise_mcnemar(run_dirs, names)}};

  nlohmann::json dataset = o.dataset;
  if (dataset.is_null()) {
    dataset = dataset_from_split_csv(first.split_path());
    const TrainConfig& c = first_config.config;
    const DataRecord& d = first_config.data;
    dataset["root"] = c.data;
    // "auto" resolves at split time; a run given a split.csv records "file".
    dataset["split_by"] = c.split_by == SplitBy::Auto ? d.split_by : choice_name(c.split_by);
    dataset["leakage_audit"] = {{"groups_shared", d.groups_shared}, {"patients_shared", d.patients_shared},
                                {"near_duplicate_pairs_across", d.near_duplicate_pairs_across}};
    dataset["skipped_files"] = d.skipped_files;
  }
  results["dataset"] = dataset;

  nlohmann::json pre = o.preprocessing;
  if (pre.is_null()) {
    const TrainConfig& c = first_config.config;
    pre = to_json(c.preprocess);
    pre["normalise"] = choice_name(c.normalise);
    pre["augment"] = choice_name(c.augment);
  }
  results["preprocessing"] = pre;
  if (o.extra.is_object()) results.update(o.extra);
  results["findings"] = comparison_findings(results);
  for (const auto& w : warnings) results["findings"].insert(results["findings"].begin(), "Not comparable as ranked: " + w + ".");
  results["warnings"] = warnings;
  return results;
}

}  // namespace leuko
