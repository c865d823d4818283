#include "study/ablation_summary.h"

#include <algorithm>
#include <optional>

#include "common/error.h"
#include "study/ablation_align.h"
#include "study/ablation_estimate.h"
#include "study/findings.h"

namespace leuko {

namespace {

using Field = double StrategyEstimates::*;

nlohmann::json ci_json(const Interval& ci) { return {ci.lo, ci.hi}; }

// Interval of strategy s's `field`, less strategy `minus`'s on the same resample when given.
Interval field_ci(const AblationEstimates& e, Field field, size_t s, std::optional<size_t> minus = std::nullopt) {
  return draws_interval(e, [&](const std::vector<StrategyEstimates>& d) {
    return minus ? d[s].*field - d[*minus].*field : d[s].*field;
  });
}

nlohmann::json strategy_json(const AblationStrategyInput& in, const EvalReport& eval, const AblationEstimates& e,
                             size_t s) {
  const StrategyEstimates& p = e.point[s];
  return {{"name", in.name},
          {"description", in.description},
          {"run", in.run},
          {"eval", EvalFiles(in.eval_dir).report_path()},
          {"settings", in.settings},
          {"clean_f1", p.clean_f1},
          {"clean_f1_ci", ci_json(field_ci(e, &StrategyEstimates::clean_f1, s))},
          {"corrupted_f1", p.corrupted_f1},
          {"corrupted_f1_ci", ci_json(field_ci(e, &StrategyEstimates::corrupted_f1, s))},
          {"held_out_f1", p.held_out_f1},
          {"held_out_f1_ci", ci_json(field_ci(e, &StrategyEstimates::held_out_f1, s))},
          {"mce", p.mce},
          {"mce_ci", ci_json(field_ci(e, &StrategyEstimates::mce, s))},
          {"train_seconds", in.train_seconds},
          {"inference_seconds", eval.seconds_inference},
          {"robustness", to_json(eval).value("robustness", nlohmann::json::array())}};
}

// Strategy s against the baseline: each difference with its paired CI, significant when the CI
// excludes zero.
nlohmann::json vs_baseline_json(const AblationEstimates& e, size_t s, size_t base) {
  nlohmann::json j = nlohmann::json::object();
  const std::pair<const char*, Field> fields[] = {{"corrupted_f1", &StrategyEstimates::corrupted_f1},
                                                  {"clean_f1", &StrategyEstimates::clean_f1},
                                                  {"held_out_f1", &StrategyEstimates::held_out_f1}};
  for (const auto& [name, field] : fields) {
    const Interval ci = field_ci(e, field, s, base);
    j[std::string(name) + "_diff"] = e.point[s].*field - e.point[base].*field;
    j[std::string(name) + "_diff_ci"] = ci_json(ci);
    j[std::string(name) + "_significant"] = ci.lo > 0 || ci.hi < 0;
  }
  return j;
}

size_t best_under_distortion(const std::vector<StrategyEstimates>& point) {
  size_t best = 0;
  for (size_t s = 1; s < point.size(); ++s)
    if (point[s].corrupted_f1 > point[best].corrupted_f1) best = s;
  return best;
}

// The best strategy against the next one, on the same resamples: is the winner really ahead? Null
// with fewer than three strategies or when the next one is the baseline (compared already).
nlohmann::json runner_up_json(const std::vector<AblationStrategyInput>& strategies, const AblationEstimates& e,
                              size_t best, size_t base) {
  const auto& point = e.point;
  size_t second = best == 0 ? 1 : 0;
  for (size_t s = 0; s < point.size(); ++s)
    if (s != best && point[s].corrupted_f1 > point[second].corrupted_f1) second = s;
  if (point.size() <= 2 || second == base) return nullptr;
  const Interval ci = field_ci(e, &StrategyEstimates::corrupted_f1, best, second);
  return {{"name", strategies[second].name},
          {"lead", point[best].corrupted_f1 - point[second].corrupted_f1},
          {"lead_ci", ci_json(ci)},
          {"significant", ci.lo > 0}};
}

// The distortion families, held out of training or not, in the order of the sweep.
std::vector<std::string> families(const std::vector<AblationCondition>& conditions, bool held_out) {
  std::vector<std::string> out;
  for (const auto& c : conditions)
    if (c.held_out == held_out && std::find(out.begin(), out.end(), c.family) == out.end()) out.push_back(c.family);
  return out;
}

nlohmann::json describe_ablation(const std::vector<AblationStrategyInput>& strategies, size_t base,
                                 const AlignedAblation& aligned, const AblationEstimates& e, int resamples) {
  nlohmann::json out_strategies = nlohmann::json::array();
  for (size_t s = 0; s < strategies.size(); ++s) {
    nlohmann::json j = strategy_json(strategies[s], aligned.evals[s], e, s);
    if (s != base) j["vs_baseline"] = vs_baseline_json(e, s, base);
    out_strategies.push_back(j);
  }
  const size_t best = best_under_distortion(e.point);
  return {{"baseline", strategies[base].name},
          {"resampled", e.by_patient ? "patients" : "images"},
          {"resamples", resamples},
          {"n", aligned.labels.size()},
          {"held_out_families", families(aligned.conditions, true)},
          {"trained_families", families(aligned.conditions, false)},
          {"strategies", out_strategies},
          {"best", strategies[best].name},
          {"best_vs_runner_up", runner_up_json(strategies, e, best, base)}};
}

}  // namespace

nlohmann::json summarise_ablation(const std::vector<AblationStrategyInput>& strategies, const std::string& baseline,
                                  int resamples, uint64_t seed) {
  if (strategies.empty()) throw UserError("ablation: no strategies to summarise");
  auto base_it = std::find_if(strategies.begin(), strategies.end(), [&](const auto& s) { return s.name == baseline; });
  if (base_it == strategies.end()) throw UserError("ablation: the baseline strategy '" + baseline + "' was not run");
  const size_t base = static_cast<size_t>(base_it - strategies.begin());

  std::vector<EvalFiles> evals;
  for (const auto& s : strategies) evals.emplace_back(s.eval_dir);
  const AlignedAblation aligned = align_ablation(evals, base);
  const AblationEstimates estimates = estimate_ablation(aligned, base, resamples, seed);
  nlohmann::json summary = describe_ablation(strategies, base, aligned, estimates, resamples);
  summary["findings"] = ablation_findings(summary);
  return summary;
}

}  // namespace leuko
