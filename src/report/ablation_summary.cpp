#include "report/ablation_summary.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "common/atomic_file.h"
#include "common/error.h"
#include "data/csv.h"
#include "eval/metrics.h"
#include "report/text_format.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

struct Condition {
  std::string family;
  int severity = 0;
  bool held_out = false;
};

// One strategy's predictions as class indices, aligned on the baseline's image order.
struct StrategyPredictions {
  std::vector<int> clean;
  std::vector<std::vector<int>> per_condition;
};

struct Estimates {
  double clean_f1 = 0, corrupted_f1 = 0, held_out_f1 = 0, mce = 0;
};

std::string sibling(const std::string& eval_json, const std::string& suffix) {
  return fs::path(eval_json).replace_extension("").string() + suffix;
}

double macro_f1(const std::vector<int>& labels, const std::vector<int>& predicted, const std::vector<size_t>& rows, int k) {
  std::vector<int> l, p;
  l.reserve(rows.size());
  p.reserve(rows.size());
  for (size_t r : rows) l.push_back(labels[r]), p.push_back(predicted[r]);
  return metrics_from_predictions(l, p, k).f1_macro;
}

nlohmann::json interval(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto at = [&](double q) { return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5)]; };
  return {at(0.025), at(0.975)};
}

}  // namespace

nlohmann::json summarise_ablation(const std::vector<AblationStrategyInput>& strategies, const std::string& baseline,
                                  int resamples, uint64_t seed) {
  if (strategies.empty()) throw UserError("ablation: no strategies to summarise");
  auto base_it = std::find_if(strategies.begin(), strategies.end(), [&](const auto& s) { return s.name == baseline; });
  if (base_it == strategies.end()) throw UserError("ablation: the baseline strategy '" + baseline + "' was not run");

  std::vector<nlohmann::json> evals;
  for (const auto& s : strategies) evals.push_back(nlohmann::json::parse(read_file_to_string(s.eval_json)));
  const auto classes = evals[static_cast<size_t>(base_it - strategies.begin())].at("classes").get<std::vector<std::string>>();
  const int k = static_cast<int>(classes.size());
  auto class_of = [&](const std::string& name, const std::string& file) {
    auto it = std::find(classes.begin(), classes.end(), name);
    if (it == classes.end()) throw UserError(file + ": class '" + name + "' is not one of the baseline's");
    return static_cast<int>(it - classes.begin());
  };

  // Image order and labels from the baseline's clean predictions; every strategy must score the same images.
  std::map<std::string, size_t> row_of;
  std::vector<int> labels;
  std::vector<std::string> groups;
  {
    const std::string file = sibling(base_it->eval_json, "-predictions.csv");
    CsvTable t = read_csv(file);
    for (const auto& row : t.rows) {
      row_of[row[t.column("path")]] = labels.size();
      labels.push_back(class_of(row[t.column("label")], file));
    }
  }
  const size_t n = labels.size();
  groups.assign(n, "");

  std::vector<Condition> conditions;
  std::map<std::pair<std::string, int>, size_t> condition_index;
  for (const auto& row : evals[static_cast<size_t>(base_it - strategies.begin())].at("robustness")) {
    condition_index[{row["distortion"], row["severity"]}] = conditions.size();
    conditions.push_back({row["distortion"], row["severity"], row.value("held_out", false)});
  }
  if (conditions.empty()) throw UserError(base_it->eval_json + ": no robustness sweep (evaluate with --distortions)");

  std::vector<StrategyPredictions> preds(strategies.size());
  for (size_t s = 0; s < strategies.size(); ++s) {
    const std::string clean_file = sibling(strategies[s].eval_json, "-predictions.csv");
    const std::string sweep_file = sibling(strategies[s].eval_json, "-robustness.csv");
    preds[s].clean.assign(n, -1);
    preds[s].per_condition.assign(conditions.size(), std::vector<int>(n, -1));
    CsvTable clean = read_csv(clean_file);
    for (const auto& row : clean.rows) {
      auto it = row_of.find(row[clean.column("path")]);
      if (it == row_of.end()) throw UserError(clean_file + ": scores an image the baseline did not: " + row[clean.column("path")]);
      preds[s].clean[it->second] = class_of(row[clean.column("predicted")], clean_file);
    }
    CsvTable sweep = read_csv(sweep_file);
    const int path_c = sweep.column("path"), patient_c = sweep.column("patient"), family_c = sweep.column("distortion");
    const int severity_c = sweep.column("severity"), predicted_c = sweep.column("predicted");
    if (path_c < 0 || family_c < 0 || severity_c < 0 || predicted_c < 0)
      throw UserError(sweep_file + ": needs columns path,distortion,severity,predicted");
    for (size_t r = 0; r < sweep.rows.size(); ++r) {
      const auto& row = sweep.rows[r];
      auto img = row_of.find(row[path_c]);
      auto cond = condition_index.find({row[family_c], std::atoi(row[severity_c].c_str())});
      if (img == row_of.end() || cond == condition_index.end())
        throw UserError(sweep_file + ":" + std::to_string(sweep.line_numbers[r]) + ": image or distortion not in the baseline's sweep");
      preds[s].per_condition[cond->second][img->second] = class_of(row[predicted_c], sweep_file);
      if (patient_c >= 0) groups[img->second] = row[patient_c];
    }
    for (size_t c = 0; c < conditions.size(); ++c)
      if (std::count(preds[s].per_condition[c].begin(), preds[s].per_condition[c].end(), -1) ||
          std::count(preds[s].clean.begin(), preds[s].clean.end(), -1))
        throw UserError(sweep_file + ": does not score every image under " + conditions[c].family + " severity " +
                        std::to_string(conditions[c].severity));
  }

  // Resampling unit: the patient when every image has one (cells of one patient are not independent).
  const bool by_patient = std::none_of(groups.begin(), groups.end(), [](const std::string& g) { return g.empty(); });
  std::vector<std::vector<size_t>> units;
  {
    std::map<std::string, size_t> unit_of;
    for (size_t i = 0; i < n; ++i) {
      std::string key = by_patient ? groups[i] : std::to_string(i);
      auto [it, inserted] = unit_of.emplace(key, units.size());
      if (inserted) units.emplace_back();
      units[it->second].push_back(i);
    }
  }

  const size_t base = static_cast<size_t>(base_it - strategies.begin());
  std::set<std::string> families;
  for (const auto& c : conditions) families.insert(c.family);
  auto estimate_all = [&](const std::vector<size_t>& rows) {
    std::vector<Estimates> e(strategies.size());
    std::vector<std::vector<double>> f1(strategies.size(), std::vector<double>(conditions.size()));
    for (size_t s = 0; s < strategies.size(); ++s) {
      e[s].clean_f1 = macro_f1(labels, preds[s].clean, rows, k);
      double all = 0, held = 0;
      int held_count = 0;
      for (size_t c = 0; c < conditions.size(); ++c) {
        f1[s][c] = macro_f1(labels, preds[s].per_condition[c], rows, k);
        all += f1[s][c];
        if (conditions[c].held_out) held += f1[s][c], ++held_count;
      }
      e[s].corrupted_f1 = all / static_cast<double>(conditions.size());
      e[s].held_out_f1 = held_count ? held / held_count : 0;
    }
    // mCE: per family, summed error over severities relative to the baseline's; mean over families.
    for (size_t s = 0; s < strategies.size(); ++s) {
      double sum = 0;
      int used = 0;
      for (const auto& family : families) {
        double err = 0, base_err = 0;
        for (size_t c = 0; c < conditions.size(); ++c)
          if (conditions[c].family == family) err += 1 - f1[s][c], base_err += 1 - f1[base][c];
        if (base_err > 1e-12) sum += err / base_err, ++used;
      }
      e[s].mce = used ? sum / used : 1.0;
    }
    return e;
  };

  std::vector<size_t> all_rows(n);
  for (size_t i = 0; i < n; ++i) all_rows[i] = i;
  const std::vector<Estimates> point = estimate_all(all_rows);

  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, units.size() - 1);
  const size_t S = strategies.size();
  std::vector<std::vector<double>> clean(S), corrupted(S), held(S), mce(S), d_corrupted(S), d_clean(S), d_held(S);
  for (int b = 0; b < resamples; ++b) {
    std::vector<size_t> rows;
    rows.reserve(n);
    for (size_t u = 0; u < units.size(); ++u) {
      const auto& members = units[pick(rng)];
      rows.insert(rows.end(), members.begin(), members.end());
    }
    auto e = estimate_all(rows);
    for (size_t s = 0; s < S; ++s) {
      clean[s].push_back(e[s].clean_f1);
      corrupted[s].push_back(e[s].corrupted_f1);
      held[s].push_back(e[s].held_out_f1);
      mce[s].push_back(e[s].mce);
      d_corrupted[s].push_back(e[s].corrupted_f1 - e[base].corrupted_f1);
      d_clean[s].push_back(e[s].clean_f1 - e[base].clean_f1);
      d_held[s].push_back(e[s].held_out_f1 - e[base].held_out_f1);
    }
  }

  nlohmann::json out_strategies = nlohmann::json::array();
  std::vector<std::string> held_families, trained_families;
  for (const auto& c : conditions) {
    auto& list = c.held_out ? held_families : trained_families;
    if (std::find(list.begin(), list.end(), c.family) == list.end()) list.push_back(c.family);
  }
  for (size_t s = 0; s < S; ++s) {
    const auto& ev = evals[s];
    nlohmann::json j = {{"name", strategies[s].name},
                        {"description", strategies[s].description},
                        {"run", strategies[s].run},
                        {"eval", strategies[s].eval_json},
                        {"settings", strategies[s].settings},
                        {"clean_f1", point[s].clean_f1},
                        {"clean_f1_ci", interval(clean[s])},
                        {"corrupted_f1", point[s].corrupted_f1},
                        {"corrupted_f1_ci", interval(corrupted[s])},
                        {"held_out_f1", point[s].held_out_f1},
                        {"held_out_f1_ci", interval(held[s])},
                        {"mce", point[s].mce},
                        {"mce_ci", interval(mce[s])},
                        {"train_seconds", strategies[s].train_seconds},
                        {"inference_seconds", ev.value("seconds_inference", 0.0)},
                        {"robustness", ev.value("robustness", nlohmann::json::array())}};
    if (s != base) {
      auto ci_c = interval(d_corrupted[s]), ci_k = interval(d_clean[s]), ci_h = interval(d_held[s]);
      auto significant = [](const nlohmann::json& ci) { return ci[0].get<double>() > 0 || ci[1].get<double>() < 0; };
      j["vs_baseline"] = {
          {"corrupted_f1_diff", point[s].corrupted_f1 - point[base].corrupted_f1}, {"corrupted_f1_diff_ci", ci_c},
          {"corrupted_f1_significant", significant(ci_c)},
          {"clean_f1_diff", point[s].clean_f1 - point[base].clean_f1}, {"clean_f1_diff_ci", ci_k},
          {"clean_f1_significant", significant(ci_k)},
          {"held_out_f1_diff", point[s].held_out_f1 - point[base].held_out_f1}, {"held_out_f1_diff_ci", ci_h},
          {"held_out_f1_significant", significant(ci_h)}};
    }
    out_strategies.push_back(j);
  }

  // Findings: the best strategy under distortion, whether its gain over the baseline is significant,
  // what it costs on clean images, and whether the gain carries over to held-out families.
  std::vector<std::string> findings;
  nlohmann::json out_runner_up;
  size_t best = 0;
  for (size_t s = 1; s < S; ++s)
    if (point[s].corrupted_f1 > point[best].corrupted_f1) best = s;
  const auto& bj = out_strategies[best];
  std::string f = "Under distortion, '" + strategies[best].name + "' is best: mean macro-F1 over all distortions and severities " +
                  report::format_metric(point[best].corrupted_f1) + " [" + report::format_metric(bj["corrupted_f1_ci"][0]) + ", " +
                  report::format_metric(bj["corrupted_f1_ci"][1]) + "], mCE " + report::format_metric(point[best].mce) + " relative to '" + baseline + "'";
  if (best != base) {
    const auto& v = bj["vs_baseline"];
    f += std::string("; the gain of ") + report::format_metric(v["corrupted_f1_diff"]) + " over '" + baseline + "' is " +
         (v["corrupted_f1_significant"].get<bool>() ? "significant" : "not significant") + " (paired bootstrap 95 % CI [" +
         report::format_metric(v["corrupted_f1_diff_ci"][0]) + ", " + report::format_metric(v["corrupted_f1_diff_ci"][1]) + "])";
  }
  // Best against the runner-up, on the same resamples: is the winner really ahead of the next one?
  size_t second = best == 0 ? 1 : 0;
  for (size_t s = 0; s < S; ++s)
    if (s != best && point[s].corrupted_f1 > point[second].corrupted_f1) second = s;
  if (S > 2 && second != base) {
    std::vector<double> lead;
    for (size_t b = 0; b < corrupted[best].size(); ++b) lead.push_back(corrupted[best][b] - corrupted[second][b]);
    auto ci = interval(lead);
    const bool significant = ci[0].get<double>() > 0;
    f += "; its lead over the next, '" + strategies[second].name + "' (" + report::format_metric(point[second].corrupted_f1) + "), is " +
         report::format_metric(point[best].corrupted_f1 - point[second].corrupted_f1) + " [" + report::format_metric(ci[0]) + ", " + report::format_metric(ci[1]) + "], " +
         (significant ? "significant" : "not significant");
    out_runner_up = {{"name", strategies[second].name}, {"lead", point[best].corrupted_f1 - point[second].corrupted_f1},
                     {"lead_ci", ci}, {"significant", significant}};
  }
  findings.push_back(f + ".");
  if (best != base) {
    const auto& v = bj["vs_baseline"];
    findings.push_back("On clean images it changes macro-F1 by " + report::format_metric(v["clean_f1_diff"]) + " [" +
                       report::format_metric(v["clean_f1_diff_ci"][0]) + ", " + report::format_metric(v["clean_f1_diff_ci"][1]) + "]; on the held-out families (" +
                       [&] { std::string s; for (const auto& h : held_families) s += (s.empty() ? "" : ", ") + h; return s; }() +
                       ", never used in training) by " + report::format_metric(v["held_out_f1_diff"]) + " [" + report::format_metric(v["held_out_f1_diff_ci"][0]) +
                       ", " + report::format_metric(v["held_out_f1_diff_ci"][1]) + "]" +
                       (v["held_out_f1_significant"].get<bool>() ? " (significant)." : " (not significant)."));
  }
  return {{"baseline", baseline},
          {"resampled", by_patient ? "patients" : "images"},
          {"resamples", resamples},
          {"n", n},
          {"held_out_families", held_families},
          {"trained_families", trained_families},
          {"strategies", out_strategies},
          {"best", strategies[best].name},
          {"best_vs_runner_up", out_runner_up},
          {"findings", findings}};
}

}  // namespace leuko
