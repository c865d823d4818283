#include "study/ablation_estimate.h"

#include <random>
#include <set>

#include "eval/metrics.h"

namespace leuko {

namespace {

double macro_f1(const std::vector<int>& labels, const std::vector<int>& predicted, const std::vector<size_t>& rows,
                int k) {
  std::vector<int> l, p;
  l.reserve(rows.size());
  p.reserve(rows.size());
  for (size_t r : rows) l.push_back(labels[r]), p.push_back(predicted[r]);
  return metrics_from_predictions(l, p, k).f1_macro;
}

// Mean corruption error: per family, the error summed over severities relative to the baseline's;
// then the mean over the families where the baseline errs at all.
double mean_corruption_error(const std::vector<AblationCondition>& conditions, const std::vector<double>& f1,
                             const std::vector<double>& baseline_f1) {
  std::set<std::string> families;
  for (const auto& c : conditions) families.insert(c.family);
  double sum = 0;
  int used = 0;
  for (const auto& family : families) {
    double err = 0, base_err = 0;
    for (size_t c = 0; c < conditions.size(); ++c)
      if (conditions[c].family == family) err += 1 - f1[c], base_err += 1 - baseline_f1[c];
    if (base_err > 1e-12) sum += err / base_err, ++used;
  }
  return used ? sum / used : 1.0;
}

}  // namespace

std::vector<StrategyEstimates> estimate_strategies(const AlignedAblation& a, size_t baseline,
                                                   const std::vector<size_t>& rows) {
  const int k = static_cast<int>(a.classes.size());
  const size_t S = a.strategies.size(), C = a.conditions.size();
  std::vector<StrategyEstimates> e(S);
  std::vector<std::vector<double>> f1(S, std::vector<double>(C));  // [strategy][condition]
  for (size_t s = 0; s < S; ++s) {
    e[s].clean_f1 = macro_f1(a.labels, a.strategies[s].clean, rows, k);
    double all = 0, held = 0;
    int held_count = 0;
    for (size_t c = 0; c < C; ++c) {
      f1[s][c] = macro_f1(a.labels, a.strategies[s].per_condition[c], rows, k);
      all += f1[s][c];
      if (a.conditions[c].held_out) held += f1[s][c], ++held_count;
    }
    e[s].corrupted_f1 = all / static_cast<double>(C);
    e[s].held_out_f1 = held_count ? held / held_count : 0;
  }
  for (size_t s = 0; s < S; ++s) e[s].mce = mean_corruption_error(a.conditions, f1[s], f1[baseline]);
  return e;
}

AblationEstimates estimate_ablation(const AlignedAblation& a, size_t baseline, int resamples, uint64_t seed) {
  AblationEstimates out;
  out.by_patient = resamples_by_group(a.patients, a.labels.size());
  std::vector<size_t> all(a.labels.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  out.point = estimate_strategies(a, baseline, all);

  const auto units = bootstrap_units(a.patients, a.labels.size());
  const auto strata = bootstrap_strata(units, a.labels, out.by_patient);
  std::mt19937_64 rng(seed);
  for (int b = 0; b < resamples; ++b)
    out.draws.push_back(estimate_strategies(a, baseline, resample_rows(units, strata, rng)));
  return out;
}

Interval draws_interval(const AblationEstimates& e,
                        const std::function<double(const std::vector<StrategyEstimates>&)>& statistic) {
  std::vector<double> values;
  values.reserve(e.draws.size());
  for (const auto& draw : e.draws) values.push_back(statistic(draw));
  return percentile_interval(std::move(values));
}

}  // namespace leuko
