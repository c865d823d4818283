#pragma once
// The statistics that make a comparison honest: bootstrap confidence intervals that resample the
// unit that was sampled (patients when known — cells of one patient are not independent — else
// images), McNemar's exact test for two models on the same images, and patient-level aggregation.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/metrics.h"

namespace leuko {

struct Interval {
  double lo = 0, hi = 0;
};

// Percentile bootstrap (2.5 %, 97.5 %) of every scalar metric. `groups[i]` is the resampling
// unit of sample i (empty vector or all-empty strings: each image is its own unit).
std::map<std::string, Interval> bootstrap_ci(const std::vector<int>& labels, const std::vector<float>& probs,
                                             int num_classes, const std::vector<std::string>& groups,
                                             int resamples = 1000, uint64_t seed = 0);

extern const std::vector<std::string> kScalarMetrics;

struct McNemar {
  long both_right = 0, only_a_right = 0, only_b_right = 0, both_wrong = 0;
  double p_value = 1.0;  // two-sided exact binomial test on the discordant pairs
};

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
