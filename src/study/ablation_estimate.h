#pragma once
// The ablation's second step: each strategy's numbers on all images, and the same numbers on
// every bootstrap resample — one set of resamples shared by all strategies, so differences between
// strategies are paired. Units and draws follow eval/statistics (patients when known).
#include <cstdint>
#include <functional>
#include <vector>

#include "eval/statistics.h"
#include "study/ablation_align.h"

namespace leuko {

struct StrategyEstimates {
  double clean_f1 = 0;      // macro-F1 on clean images
  double corrupted_f1 = 0;  // mean macro-F1 over every distortion x severity
  double held_out_f1 = 0;   // the same over the held-out families only
  double mce = 0;           // mean corruption error (error = 1 - macro-F1) relative to the baseline
};

struct AblationEstimates {
  bool by_patient = false;                            // the resampling unit (else the image)
  std::vector<StrategyEstimates> point;               // per strategy, on all images
  std::vector<std::vector<StrategyEstimates>> draws;  // per resample, per strategy
};

// Every strategy's estimates on the images `rows` (indices into `a.labels`, repeats allowed).
std::vector<StrategyEstimates> estimate_strategies(const AlignedAblation& a, size_t baseline,
                                                   const std::vector<size_t>& rows);

AblationEstimates estimate_ablation(const AlignedAblation& a, size_t baseline, int resamples, uint64_t seed);

// The 95 % percentile interval of a statistic of the strategies' estimates over the resamples.
Interval draws_interval(const AblationEstimates& e,
                        const std::function<double(const std::vector<StrategyEstimates>&)>& statistic);

}  // namespace leuko
