#include "run/eval_files.h"

#include <filesystem>

#include "common/json_text.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/json_reader.h"

namespace leuko {
namespace fs = std::filesystem;

bool EvalFiles::exists() const { return fs::exists(report_path()); }

EvalReport EvalFiles::read_report() const {
  return eval_report_from_json(JsonReader(JsonReader::parse_file(report_path()), report_path()));
}

void EvalFiles::write_report(const EvalReport& report) const {
  write_file_atomically(report_path(), json_text(to_json(report), 2) + "\n");
}

PredictionTable EvalFiles::read_predictions(const std::vector<std::string>& classes) const {
  if (!fs::exists(predictions_path())) return {classes, {}};
  return read_prediction_table(predictions_path(), classes);
}

void EvalFiles::write_predictions(const PredictionTable& table) const {
  write_file_atomically(predictions_path(), prediction_table_csv(table));
}

std::vector<RobustnessRow> EvalFiles::read_robustness() const {
  if (!fs::exists(robustness_path())) return {};
  return read_robustness_table(robustness_path());
}

void EvalFiles::write_robustness(const std::vector<RobustnessRow>& rows) const {
  write_file_atomically(robustness_path(), robustness_table_csv(rows));
}

}  // namespace leuko
