#pragma once
// Classification metrics of the study (accuracy, precision, recall, F1) and the ones a reviewer
// asks for next (balanced accuracy, specificity, weighted F1, one-vs-rest AUROC), per class and
// macro-averaged, computed from labels and predicted probabilities.
//
// Conventions (no NaN ever reaches eval.json):
// - a ratio whose denominator is zero is 0 (precision of a class never predicted, recall of a
//   class with no samples, specificity when every sample belongs to the class);
// - macro averages run over the classes that have samples in the evaluated set (support > 0), so
//   a class absent from a small test split neither drags the mean down nor inflates it;
// - AUROC is averaged over classes with both positives and negatives; 0.5 when none has both.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace leuko {

struct ClassMetrics {
  double precision = 0, recall = 0, f1 = 0, specificity = 0, auroc = 0;
  long support = 0;
};

struct Metrics {
  long n = 0;
  double accuracy = 0, balanced_accuracy = 0;
  double precision_macro = 0, recall_macro = 0, f1_macro = 0, f1_weighted = 0, specificity_macro = 0;
  double auroc_macro = 0;
  std::vector<ClassMetrics> per_class;
  std::vector<std::vector<long>> confusion;  // [true][predicted]
};

// labels[i] in [0, K); probs is row-major n x K (rows need not sum to 1 exactly). Predictions are
// the row argmax (first on ties).
Metrics compute_metrics(const std::vector<int>& labels, const std::vector<float>& probs, int num_classes);

// From predictions only (no AUROC: reported as 0.5).
Metrics metrics_from_predictions(const std::vector<int>& labels, const std::vector<int>& predicted, int num_classes);

// One-vs-rest AUROC of scores for a binary truth (ties count one half: the Mann-Whitney U).
double binary_auroc(const std::vector<float>& scores, const std::vector<bool>& positive);

std::vector<int> argmax_rows(const std::vector<float>& probs, int num_classes);

class JsonReader;

// The contract keys of eval.json (split/ci95 etc. are added by the caller), and back: UserError
// naming the file and key for anything missing, mistyped or of the wrong shape.
nlohmann::json metrics_to_json(const Metrics& m, const std::vector<std::string>& class_names);
Metrics metrics_from_json(const JsonReader& j, const std::vector<std::string>& class_names);

// Scalar metric by its eval.json name (accuracy, f1_macro, ...); throws std::out_of_range.
double metric_by_name(const Metrics& m, const std::string& name);

}  // namespace leuko
