#pragma once
#include <string>
#include <vector>

#include "run/eval_report.h"
#include "run/eval_tables.h"

namespace leuko {

// An evaluation's files in one folder: eval.json, eval-predictions.csv, eval-robustness.csv. A
// run's own evaluation lives in the run; `evaluate --out DIR` puts one elsewhere.
class EvalFiles {
 public:
  explicit EvalFiles(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string report_path() const { return dir_ + "/eval.json"; }
  std::string predictions_path() const { return dir_ + "/eval-predictions.csv"; }
  std::string robustness_path() const { return dir_ + "/eval-robustness.csv"; }
  bool exists() const;

  EvalReport read_report() const;
  void write_report(const EvalReport& report) const;
  PredictionTable read_predictions(const std::vector<std::string>& classes) const;  // empty when absent
  void write_predictions(const PredictionTable& table) const;
  std::vector<RobustnessRow> read_robustness() const;
  void write_robustness(const std::vector<RobustnessRow>& rows) const;

 private:
  std::string dir_;
};

}  // namespace leuko
