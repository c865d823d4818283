#include "eval/statistics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

namespace leuko {

const std::vector<std::string> kScalarMetrics = {"accuracy", "balanced_accuracy", "precision_macro",
                                                 "recall_macro", "f1_macro", "f1_weighted",
                                                 "specificity_macro", "auroc_macro"};

bool resamples_by_group(const std::vector<std::string>& groups, size_t n) {
  return groups.size() == n && std::any_of(groups.begin(), groups.end(), [](const std::string& g) { return !g.empty(); });
}

std::vector<std::vector<size_t>> bootstrap_units(const std::vector<std::string>& groups, size_t n) {
  std::vector<std::vector<size_t>> units;
  if (!resamples_by_group(groups, n)) {
    for (size_t i = 0; i < n; ++i) units.push_back({i});
    return units;
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < n; ++i) {
    std::string key = groups[i].empty() ? "\x01image" + std::to_string(i) : groups[i];
    auto [it, fresh] = index.emplace(key, units.size());
    if (fresh) units.emplace_back();
    units[it->second].push_back(i);
  }
  return units;
}

std::vector<size_t> resample_rows(const std::vector<std::vector<size_t>>& units, std::mt19937_64& rng) {
  return resample_rows(units, bootstrap_strata(units, {}, false), rng);
}

std::vector<std::vector<size_t>> strata_by_class(const std::vector<std::vector<size_t>>& units,
                                                 const std::vector<int>& labels) {
  std::map<int, std::vector<size_t>> by_class;
  for (size_t u = 0; u < units.size(); ++u) {
    std::map<int, size_t> votes;
    for (size_t i : units[u]) votes[labels.at(i)]++;
    int majority = 0;
    size_t most = 0;
    for (const auto& [label, count] : votes)  // ascending labels: the lowest wins a tie
      if (count > most) majority = label, most = count;
    by_class[majority].push_back(u);
  }
  std::vector<std::vector<size_t>> strata;
  for (auto& [label, members] : by_class) strata.push_back(std::move(members));
  return strata;
}

std::vector<std::vector<size_t>> bootstrap_strata(const std::vector<std::vector<size_t>>& units,
                                                  const std::vector<int>& labels, bool by_group) {
  if (by_group) return strata_by_class(units, labels);
  std::vector<std::vector<size_t>> one(1);
  for (size_t u = 0; u < units.size(); ++u) one[0].push_back(u);
  if (units.empty()) one.clear();
  return one;
}

std::vector<size_t> resample_rows(const std::vector<std::vector<size_t>>& units,
                                  const std::vector<std::vector<size_t>>& strata, std::mt19937_64& rng) {
  std::vector<size_t> rows;
  for (const auto& stratum : strata) {
    if (stratum.empty()) continue;
    std::uniform_int_distribution<size_t> pick(0, stratum.size() - 1);
    for (size_t u = 0; u < stratum.size(); ++u) {
      const auto& members = units[stratum[pick(rng)]];
      rows.insert(rows.end(), members.begin(), members.end());
    }
  }
  return rows;
}

Interval percentile_interval(std::vector<double> values, double lo_q, double hi_q) {
  if (values.empty()) return {std::nan(""), std::nan("")};
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    double pos = q * static_cast<double>(values.size() - 1);
    size_t lo = static_cast<size_t>(std::floor(pos));
    size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
  };
  return {at(lo_q), at(hi_q)};
}

std::map<std::string, Interval> bootstrap_ci(const std::vector<int>& labels, const std::vector<float>& probs,
                                             int k, const std::vector<std::string>& groups, int resamples,
                                             uint64_t seed) {
  const auto units = bootstrap_units(groups, labels.size());
  const auto strata = bootstrap_strata(units, labels, resamples_by_group(groups, labels.size()));
  std::map<std::string, std::vector<double>> draws;
  std::mt19937_64 rng(seed);
  std::vector<int> y;
  std::vector<float> p;
  for (int r = 0; r < resamples && !units.empty(); ++r) {
    y.clear();
    p.clear();
    for (size_t i : resample_rows(units, strata, rng)) {
      y.push_back(labels[i]);
      p.insert(p.end(), probs.begin() + static_cast<long>(i * k), probs.begin() + static_cast<long>((i + 1) * k));
    }
    Metrics m = compute_metrics(y, p, k);
    for (const auto& name : kScalarMetrics) draws[name].push_back(metric_by_name(m, name));
  }
  std::map<std::string, Interval> out;
  for (auto& [name, v] : draws) out[name] = percentile_interval(std::move(v));
  return out;
}

double binomial_two_sided_p(long k, long n) {
  if (n <= 0) return 1.0;
  long m = std::min(k, n - k);
  // P(X <= m) for Binomial(n, 1/2), summed in log space (n can be thousands).
  double tail = 0;
  for (long i = 0; i <= m; ++i)
    tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
  return std::min(1.0, 2.0 * tail);
}

McNemar mcnemar_from_correct(const std::vector<bool>& a_right, const std::vector<bool>& b_right) {
  if (a_right.size() != b_right.size())
    throw std::invalid_argument("McNemar needs both models' predictions on the same images");
  McNemar r;
  for (size_t i = 0; i < a_right.size(); ++i) {
    if (a_right[i] && b_right[i]) ++r.both_right;
    else if (a_right[i]) ++r.only_a_right;
    else if (b_right[i]) ++r.only_b_right;
    else ++r.both_wrong;
  }
  r.p_value = binomial_two_sided_p(std::min(r.only_a_right, r.only_b_right), r.only_a_right + r.only_b_right);
  return r;
}

McNemar mcnemar_exact(const std::vector<int>& labels, const std::vector<int>& a, const std::vector<int>& b) {
  if (a.size() != labels.size() || b.size() != labels.size())
    throw std::invalid_argument("McNemar needs both models' predictions on the same images");
  std::vector<bool> a_right(labels.size()), b_right(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    a_right[i] = a[i] == labels[i];
    b_right[i] = b[i] == labels[i];
  }
  return mcnemar_from_correct(a_right, b_right);
}

PatientAggregate aggregate_by_patient(const std::vector<int>& labels, const std::vector<float>& probs, int k,
                                      const std::vector<std::string>& patients) {
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < labels.size(); ++i)
    if (!patients[i].empty()) members[patients[i]].push_back(i);
  PatientAggregate out;
  for (const auto& [patient, idx] : members) {
    std::vector<int> votes(static_cast<size_t>(k), 0);
    std::vector<double> mean(static_cast<size_t>(k), 0.0);
    for (size_t i : idx) {
      votes[static_cast<size_t>(labels[i])]++;
      for (int c = 0; c < k; ++c) mean[static_cast<size_t>(c)] += probs[i * k + c];
    }
    out.patients.push_back(patient);
    out.labels.push_back(static_cast<int>(std::max_element(votes.begin(), votes.end()) - votes.begin()));
    for (int c = 0; c < k; ++c) out.probs.push_back(static_cast<float>(mean[static_cast<size_t>(c)] / idx.size()));
  }
  return out;
}

}  // namespace leuko
