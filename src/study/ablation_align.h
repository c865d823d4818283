#pragma once
// The ablation's first step: every strategy's clean and distorted predictions, read from the
// tables beside its eval.json and put side by side as class indices on one image order (the
// baseline's), after checking that every strategy scored the same images under the same
// conditions — a paired comparison means nothing otherwise.
#include <string>
#include <vector>

#include "run/eval_files.h"

namespace leuko {

struct AblationCondition {
  std::string family;
  int severity = 0;
  bool held_out = false;  // a distortion family never used in training
};

// One strategy's predicted class per image, on AlignedAblation's image order.
struct AlignedPredictions {
  std::vector<int> clean;
  std::vector<std::vector<int>> per_condition;  // [condition][image]
};

struct AlignedAblation {
  std::vector<std::string> classes;          // the baseline's
  std::vector<int> labels;                   // per image, in the order of the baseline's predictions
  std::vector<std::string> patients;         // per image, from the baseline's sweep ("" when unknown)
  std::vector<AblationCondition> conditions;  // the baseline's sweep, in its eval.json order
  std::vector<AlignedPredictions> strategies;  // in the order of the eval.json files given
  std::vector<EvalReport> evals;             // each strategy's eval.json as read
};

// Reads each evaluation's eval.json, eval-predictions.csv and eval-robustness.csv. UserError,
// naming the file, when a strategy scores an image or condition the baseline did not, leaves one
// out, or predicts a class the baseline does not know.
AlignedAblation align_ablation(const std::vector<EvalFiles>& evals, size_t baseline);

}  // namespace leuko
