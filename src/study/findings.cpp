#include "study/findings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "report/text_format.h"

namespace leuko {

namespace {

std::string p_text(double p) {
  char text[32];
  if (p < 1e-4) return "< 0.0001";
  std::snprintf(text, sizeof(text), "%.3g", p);
  return text;
}

std::string with_ci(const nlohmann::json& eval, const std::string& metric) {
  std::optional<std::pair<double, double>> ci;
  if (eval.contains("ci95") && eval["ci95"].contains(metric))
    ci = std::make_pair(eval["ci95"][metric][0].get<double>(), eval["ci95"][metric][1].get<double>());
  return report::format_metric_ci(eval.value(metric, 0.0), ci);
}

const nlohmann::json* find_pair(const nlohmann::json& results, const std::string& a, const std::string& b) {
  if (!results.contains("pairwise")) return nullptr;
  for (const auto& p : results["pairwise"])
    if (p.value("comparable", p.contains("p_value")) && p.contains("p_value") &&
        ((p["a"] == a && p["b"] == b) || (p["a"] == b && p["b"] == a)))
      return &p;
  return nullptr;
}

void best_model_finding(const nlohmann::json& models, const nlohmann::json& results, std::vector<std::string>& out) {
  std::vector<const nlohmann::json*> ranked;
  for (const auto& m : models) ranked.push_back(&m);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto* a, const auto* b) {
    return (*a)["eval"].value("f1_macro", 0.0) > (*b)["eval"].value("f1_macro", 0.0);
  });
  const auto& best = *ranked[0];
  std::string s = best["name"].get<std::string>() + " has the highest macro-F1, " + with_ci(best["eval"], "f1_macro") +
                  " on " + std::to_string(best["eval"].value("n", 0)) + " test images";
  if (ranked.size() > 1) {
    const auto& second = *ranked[1];
    s += "; next is " + second["name"].get<std::string>() + " at " + report::format_metric(second["eval"].value("f1_macro", 0.0));
    if (const auto* pair = find_pair(results, best["name"], second["name"])) {
      double p = (*pair)["p_value"];
      s += p < 0.05 ? ". The difference is significant (McNemar p = " + p_text(p) + ")"
                    : ". The difference is not significant (McNemar p = " + p_text(p) + ")";
    }
  }
  out.push_back(s + ".");
}

void hardest_class_finding(const nlohmann::json& models, std::vector<std::string>& out) {
  const auto classes = models[0]["eval"]["classes"].get<std::vector<std::string>>();
  std::map<std::string, double> mean_f1;
  std::vector<std::vector<long>> confusion(classes.size(), std::vector<long>(classes.size(), 0));
  for (const auto& m : models) {
    const auto& e = m["eval"];
    if (e["classes"] != models[0]["eval"]["classes"]) return;  // different label sets: nothing to pool
    for (const auto& c : classes) mean_f1[c] += e["per_class"][c].value("f1", 0.0) / static_cast<double>(models.size());
    for (size_t i = 0; i < classes.size(); ++i)
      for (size_t j = 0; j < classes.size(); ++j) confusion[i][j] += e["confusion_matrix"][i][j].get<long>();
  }
  size_t worst = 0;
  for (size_t i = 1; i < classes.size(); ++i)
    if (mean_f1[classes[i]] < mean_f1[classes[worst]]) worst = i;
  std::string s = "The hardest class is " + classes[worst] + " (F1 averaged over the models " + report::format_metric(mean_f1[classes[worst]]) + ")";
  size_t confused = worst;
  long most = 0;
  for (size_t j = 0; j < classes.size(); ++j)
    if (j != worst && confusion[worst][j] > most) most = confusion[worst][j], confused = j;
  if (confused != worst)
    s += "; its images are most often taken for " + classes[confused] + " (" + std::to_string(most) + " times over all models)";
  out.push_back(s + ".");
}

void robustness_findings(const nlohmann::json& models, std::vector<std::string>& out) {
  // Mean drop in macro-F1 from clean, per family (over models and severities), and per model.
  std::map<std::string, double> family_drop;
  std::map<std::string, int> family_count;
  std::vector<std::pair<double, std::string>> model_corrupted;
  for (const auto& m : models) {
    const auto& e = m["eval"];
    if (!e.contains("robustness") || e["robustness"].empty()) continue;
    double clean = e.value("f1_macro", 0.0), sum = 0;
    for (const auto& row : e["robustness"]) {
      double f1 = row.value("f1_macro", 0.0);
      family_drop[row["distortion"]] += clean - f1;
      family_count[row["distortion"]]++;
      sum += f1;
    }
    model_corrupted.emplace_back(sum / static_cast<double>(e["robustness"].size()), m["name"]);
  }
  if (family_drop.empty()) return;
  std::string worst;
  double worst_drop = -1e9;
  for (const auto& [family, drop] : family_drop) {
    double mean = drop / family_count[family];
    if (mean > worst_drop) worst_drop = mean, worst = family;
  }
  if (worst_drop > 0)
    out.push_back("The most damaging distortion is " + worst + ": macro-F1 falls by " + report::format_metric(worst_drop) +
                  " on average over models and severities 1-5.");
  else
    out.push_back("No distortion lowers macro-F1 on average over models and severities 1-5 (the models are no better "
                  "than their distorted selves: look at the clean results first).");
  std::sort(model_corrupted.rbegin(), model_corrupted.rend());
  std::string s = model_corrupted[0].second + " holds up best under distortion (mean macro-F1 over all distortions and severities " +
                  report::format_metric(model_corrupted[0].first) + ")";
  if (model_corrupted.size() > 1)
    s += "; " + model_corrupted.back().second + " the least (" + report::format_metric(model_corrupted.back().first) + ")";
  out.push_back(s + ".");
}

// "[lo, hi]" of a JSON interval.
std::string bracket(const nlohmann::json& ci) {
  return "[" + report::format_metric(ci[0].get<double>()) + ", " + report::format_metric(ci[1].get<double>()) + "]";
}

std::string metric(const nlohmann::json& value) { return report::format_metric(value.get<double>()); }

const nlohmann::json& strategy_named(const nlohmann::json& ablation, const std::string& name) {
  for (const auto& s : ablation["strategies"])
    if (s["name"] == name) return s;
  throw std::invalid_argument("ablation summary: no strategy '" + name + "'");
}

// The best strategy under distortion, its gain over the baseline and its lead over the runner-up.
std::string best_strategy_finding(const nlohmann::json& ablation) {
  const std::string baseline = ablation["baseline"];
  const auto& best = strategy_named(ablation, ablation["best"]);
  std::string f = "Under distortion, '" + best["name"].get<std::string>() +
                  "' is best: mean macro-F1 over all distortions and severities " + metric(best["corrupted_f1"]) + " " +
                  bracket(best["corrupted_f1_ci"]) + ", mCE " + metric(best["mce"]) + " relative to '" + baseline + "'";
  if (best.contains("vs_baseline")) {
    const auto& v = best["vs_baseline"];
    f += "; the gain of " + metric(v["corrupted_f1_diff"]) + " over '" + baseline + "' is " +
         (v["corrupted_f1_significant"].get<bool>() ? "significant" : "not significant") + " (paired bootstrap 95 % CI " +
         bracket(v["corrupted_f1_diff_ci"]) + ")";
  }
  const auto& next = ablation["best_vs_runner_up"];
  if (next.is_object())
    f += "; its lead over the next, '" + next["name"].get<std::string>() + "' (" +
         metric(strategy_named(ablation, next["name"])["corrupted_f1"]) + "), is " + metric(next["lead"]) + " " +
         bracket(next["lead_ci"]) + ", " + (next["significant"].get<bool>() ? "significant" : "not significant");
  return f + ".";
}

// What the best strategy's gain costs on clean images and whether it carries to held-out families.
std::string best_strategy_cost_finding(const nlohmann::json& ablation) {
  const auto& v = strategy_named(ablation, ablation["best"])["vs_baseline"];
  std::string held;
  for (const auto& h : ablation["held_out_families"]) held += (held.empty() ? "" : ", ") + h.get<std::string>();
  return "On clean images it changes macro-F1 by " + metric(v["clean_f1_diff"]) + " " + bracket(v["clean_f1_diff_ci"]) +
         "; on the held-out families (" + held + ", never used in training) by " + metric(v["held_out_f1_diff"]) + " " +
         bracket(v["held_out_f1_diff_ci"]) +
         (v["held_out_f1_significant"].get<bool>() ? " (significant)." : " (not significant).");
}

}  // namespace

std::vector<std::string> ablation_findings(const nlohmann::json& ablation) {
  std::vector<std::string> out{best_strategy_finding(ablation)};
  if (strategy_named(ablation, ablation["best"]).contains("vs_baseline"))
    out.push_back(best_strategy_cost_finding(ablation));
  return out;
}

std::vector<std::string> comparison_findings(const nlohmann::json& results) {
  std::vector<std::string> out;
  if (!results.contains("models") || results["models"].empty()) return out;
  const auto& models = results["models"];
  best_model_finding(models, results, out);
  hardest_class_finding(models, out);
  robustness_findings(models, out);
  return out;
}

}  // namespace leuko
