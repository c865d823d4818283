#include "report/collect_results.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/paths.h"
#include "data/csv.h"
#include "eval/roc_curve.h"
#include "eval/statistics.h"
#include "report/findings.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

nlohmann::json read_json(const std::string& path, const std::string& hint) {
  if (!fs::exists(path)) throw UserError(path + ": missing" + (hint.empty() ? "" : " (" + hint + ")"));
  auto j = nlohmann::json::parse(read_file_to_string(path), nullptr, false);
  if (j.is_discarded()) throw UserError(path + ": not valid JSON");
  return j;
}

nlohmann::json read_curves(const std::string& log_path) {
  nlohmann::json curves = nlohmann::json::array();
  if (!fs::exists(log_path)) return curves;
  std::istringstream in(read_file_to_string(log_path));
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) throw UserError(log_path + ":" + std::to_string(line_number) + ": not valid JSON");
    curves.push_back(j);
  }
  return curves;
}

struct PredictionTable {
  std::vector<std::string> paths;
  std::vector<std::string> labels, predicted;
  std::vector<std::vector<float>> probs;  // per image, in the order of `classes`
};

PredictionTable read_predictions(const std::string& csv_path, const std::vector<std::string>& classes) {
  PredictionTable t;
  if (!fs::exists(csv_path)) return t;
  CsvTable csv = read_csv(csv_path);
  const int path_col = csv.column("path"), label_col = csv.column("label"), pred_col = csv.column("predicted");
  if (path_col < 0 || label_col < 0 || pred_col < 0) throw UserError(csv_path + ": needs columns path,label,predicted");
  std::vector<int> prob_cols;
  for (const auto& c : classes) prob_cols.push_back(csv.column("p_" + c));
  for (size_t r = 0; r < csv.rows.size(); ++r) {
    const auto& row = csv.rows[r];
    t.paths.push_back(row[path_col]);
    t.labels.push_back(row[label_col]);
    t.predicted.push_back(row[pred_col]);
    std::vector<float> p;
    for (int col : prob_cols) p.push_back(col < 0 ? 0.f : std::strtof(row[col].c_str(), nullptr));
    t.probs.push_back(p);
  }
  return t;
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
  nlohmann::json config = read_json(run_dir + "/config.json", "not a run directory");
  nlohmann::json eval = read_json(run_dir + "/eval.json", "run `leukoscope evaluate " + run_dir + "` first");
  const auto& c = config.at("config");
  nlohmann::json m = {{"name", c.value("model", "")},
                      {"preset", c.value("preset", "")},
                      {"run", fs::absolute(run_dir).lexically_normal().string()},
                      {"input_size", config.value("image_size", 0)},
                      {"seed", c.value("seed", 0)},
                      {"inference_seconds", eval.value("seconds_inference", 0.0)},
                      {"eval", eval}};
  if (config.contains("model_spec")) {
    m["parameters"] = config["model_spec"].value("params", 0);
    m["gflops"] = config["model_spec"].value("gflops", 0.0);
    m["description"] = config["model_spec"].value("description", "");
  }
  if (config.contains("training")) {
    m["train_seconds"] = config["training"].value("seconds", 0.0);
    m["epochs"] = config["training"].value("epochs_completed", 0);
    m["best_epoch"] = config["training"].value("best_epoch", -1);
    m["early_stopped"] = config["training"].value("early_stopped", false);
  }
  m["curves"] = read_curves(run_dir + "/log.jsonl");

  const auto classes = eval.at("classes").get<std::vector<std::string>>();
  PredictionTable t = read_predictions(run_dir + "/eval-predictions.csv", classes);
  nlohmann::json roc = nlohmann::json::object();
  for (size_t k = 0; k < classes.size() && !t.paths.empty(); ++k) {
    std::vector<float> scores;
    std::vector<bool> positive;
    for (size_t i = 0; i < t.paths.size(); ++i) {
      scores.push_back(t.probs[i][k]);
      positive.push_back(t.labels[i] == classes[k]);
    }
    nlohmann::json points = nlohmann::json::array();
    for (const auto& [fpr, tpr] : roc_curve(scores, positive)) points.push_back({fpr, tpr});
    roc[classes[k]] = points;
  }
  m["roc"] = roc;
  return m;
}

nlohmann::json pairwise_mcnemar(const std::vector<std::string>& run_dirs, const std::vector<std::string>& names) {
  nlohmann::json pairs = nlohmann::json::array();
  std::vector<std::map<std::string, std::pair<std::string, std::string>>> by_path(run_dirs.size());
  for (size_t r = 0; r < run_dirs.size(); ++r) {
    PredictionTable t = read_predictions(run_dirs[r] + "/eval-predictions.csv", {});
    for (size_t i = 0; i < t.paths.size(); ++i) by_path[r][t.paths[i]] = {t.labels[i], t.predicted[i]};
  }
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
      // Correct/incorrect is all McNemar needs: encode it as predicted == label (1) or not (0).
      std::vector<int> truth, pred_a, pred_b;
      for (const auto& [path, la] : pa) {
        truth.push_back(1);
        pred_a.push_back(la.second == la.first ? 1 : 0);
        pred_b.push_back(pb.at(path).second == pb.at(path).first ? 1 : 0);
      }
      McNemar mc = mcnemar_exact(truth, pred_a, pred_b);
      pair.update({{"comparable", true}, {"n", truth.size()}, {"both_correct", mc.both_right},
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
  const nlohmann::json first_config = read_json(run_dirs.front() + "/config.json", "");
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
    dataset = dataset_from_split_csv(run_dirs.front() + "/split.csv");
    const auto& c = first_config.at("config");
    dataset["root"] = c.value("data", "");
    if (first_config.contains("data")) {
      const auto& d = first_config["data"];
      // "auto" resolves at split time; a run given a split.csv records "file".
      const std::string asked = c.value("split_by", "auto");
      dataset["split_by"] = asked == "auto" ? d.value("split_by", "") : asked;
      if (d.contains("leakage_audit")) dataset["leakage_audit"] = d["leakage_audit"];
      dataset["skipped_files"] = d.value("skipped_files", 0);
    }
  }
  results["dataset"] = dataset;

  nlohmann::json pre = o.preprocessing;
  if (pre.is_null()) {
    const auto& c = first_config.at("config");
    pre = c.value("preprocess", nlohmann::json::object());
    pre["normalise"] = c.value("normalise", "imagenet");
    pre["augment"] = c.value("augment", "standard");
  }
  results["preprocessing"] = pre;
  if (o.extra.is_object()) results.update(o.extra);
  results["findings"] = comparison_findings(results);
  return results;
}

}  // namespace leuko
