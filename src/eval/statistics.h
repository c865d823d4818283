#pragma once
// The statistics that make a comparison honest: bootstrap confidence intervals that resample the
// unit that was sampled (patients when known — cells of one patient are not independent — else
// images), McNemar's exact test for two models on the same images, and patient-level aggregation.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "eval/metrics.h"

namespace leuko {

struct Interval {
  double lo = 0, hi = 0;
};

// --- The bootstrap's three rules, shared by every confidence interval in the project ---

// Whether `groups` (one id per sample, n samples) defines the resampling units: when it has one id
// per sample and any id is non-empty.
bool resamples_by_group(const std::vector<std::string>& groups, size_t n);

// The resampling units of n samples: the indices of each group, in order of first appearance,
// when resamples_by_group (a sample with an empty id is then a unit of its own); else one unit per
// sample.
std::vector<std::vector<size_t>> bootstrap_units(const std::vector<std::string>& groups, size_t n);

// One bootstrap resample: units.size() units drawn with replacement, their sample indices
// concatenated in draw order. Empty units: empty resample, no draw.
std::vector<size_t> resample_rows(const std::vector<std::vector<size_t>>& units, std::mt19937_64& rng);

// The strata of a grouped bootstrap: the units' indices by class, a unit's class being the label
// of most of its samples (ties: the lowest label), classes in ascending order. A patient-grouped
// test split was drawn stratified (so many ALL patients, so many HEM donors); an unstratified
// resample of its 5 patients can hold no HEM donor at all, and its interval then measures the
// luck of the draw, not the model (0.750-0.997 against 0.843-0.943 stratified on C-NMC fold 0).
std::vector<std::vector<size_t>> strata_by_class(const std::vector<std::vector<size_t>>& units,
                                                 const std::vector<int>& labels);

// One stratified resample: from each stratum in turn, as many units as it holds, drawn with
// replacement from that stratum; sample indices concatenated in draw order. With one stratum
// holding every unit in order this is resample_rows(units, rng), draw for draw.
std::vector<size_t> resample_rows(const std::vector<std::vector<size_t>>& units,
                                  const std::vector<std::vector<size_t>>& strata, std::mt19937_64& rng);

// The strata every bootstrap in the project uses: by class when resampling patients (groups),
// one stratum of all units when resampling images.
std::vector<std::vector<size_t>> bootstrap_strata(const std::vector<std::vector<size_t>>& units,
                                                  const std::vector<int>& labels, bool by_group);

// The [lo_q, hi_q] percentile interval of `values`, interpolating linearly between order statistics
// (position q * (n - 1)). No values: {NaN, NaN}.
Interval percentile_interval(std::vector<double> values, double lo_q = 0.025, double hi_q = 0.975);

// Percentile bootstrap (2.5 %, 97.5 %) of every scalar metric. `groups[i]` is the resampling
// unit of sample i (empty vector or all-empty strings: each image is its own unit); groups are
// resampled within their class (bootstrap_strata).
std::map<std::string, Interval> bootstrap_ci(const std::vector<int>& labels, const std::vector<float>& probs,
                                             int num_classes, const std::vector<std::string>& groups,
                                             int resamples = 1000, uint64_t seed = 0);

extern const std::vector<std::string> kScalarMetrics;

struct McNemar {
  long both_right = 0, only_a_right = 0, only_b_right = 0, both_wrong = 0;
  double p_value = 1.0;  // two-sided exact binomial test on the discordant pairs
};

// From whether each model was right on each image (same images, same order).
McNemar mcnemar_from_correct(const std::vector<bool>& a_right, const std::vector<bool>& b_right);

McNemar mcnemar_exact(const std::vector<int>& labels, const std::vector<int>& pred_a, const std::vector<int>& pred_b);

// Two-sided exact binomial p-value of k successes in n trials at p = 1/2.
double binomial_two_sided_p(long k, long n);

struct PatientAggregate {
  std::vector<std::string> patients;
  std::vector<int> labels;   // the patient's majority label
  std::vector<float> probs;  // mean probability per class over the patient's images
};

PatientAggregate aggregate_by_patient(const std::vector<int>& labels, const std::vector<float>& probs,
                                      int num_classes, const std::vector<std::string>& patients);

}  // namespace leuko
