#pragma once
// What `predict` says about each cell and each patient, and the files it writes:
// predictions.csv (one row per cell) and predictions.json (the same cells, the patients, the files
// that were skipped and the review rule that was applied).
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/sample.h"

namespace leuko {

struct CellPrediction {
  std::string path, patient;
  std::vector<float> probs;  // calibrated (the run's temperature), in the run's class order
  int predicted = 0;
  // Trust scores, each "higher = more trustworthy" (eval/uncertainty.h, eval/feature_density.h).
  double confidence = 0;  // calibrated top-class probability
  double margin = 0;      // top-1 minus top-2 probability
  double energy = 0;      // negative energy T·logsumexp(logits / T)
  double distance = 0;    // minus the squared Mahalanobis distance to the nearest class
  bool review = false;
  std::string why;        // the reasons for review, "" when accepted
  std::string heatmap;    // with --explain: its explanation picture (Grad-CAM), else ""
};

// The patient-level call: the class with the highest mean probability over the patient's cells.
struct PatientCall {
  std::string patient;
  int cells = 0;
  std::vector<int> cells_per_class;   // by predicted class
  std::vector<double> mean_probs;
  int call = 0;
  int awaiting_review = 0;
};

std::vector<PatientCall> call_patients(const std::vector<CellPrediction>& cells, int num_classes);

struct PredictionSet {
  std::string run;
  std::vector<std::string> classes;
  std::vector<CellPrediction> cells;
  std::vector<SkippedFile> skipped;
  std::vector<PatientCall> patients;  // empty unless asked for
  std::string review_rule;            // the rule in words, with its thresholds
  int top_k = 2;
};

std::string predictions_csv(const PredictionSet& set);
nlohmann::json predictions_json(const PredictionSet& set);

}  // namespace leuko
