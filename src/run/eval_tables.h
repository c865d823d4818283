#pragma once
// The per-image tables `evaluate` writes beside eval.json (run/eval_files.h), as typed rows:
// eval-predictions.csv (the clean predictions, with one probability column per class) and
// eval-robustness.csv (the prediction under every distortion x severity). One writer and one reader per table, so the file
// format lives in one place. A read problem is a UserError whose message starts with the file path.
#include <string>
#include <vector>

namespace leuko {

// --- eval-predictions.csv: path,label,predicted,p_<class 1>,p_<class 2>,... ---

struct PredictionRow {
  std::string path, label, predicted;
  std::vector<float> probs;  // one per class, in the order of PredictionTable::classes
};

struct PredictionTable {
  std::vector<std::string> classes;
  std::vector<PredictionRow> rows;
};

// Reads the table; a p_<class> column is required for every one of `classes` (none given: the
// rows' probs are left empty and no p_ column is read).
PredictionTable read_prediction_table(const std::string& csv_path, const std::vector<std::string>& classes);

// The file's text; probabilities are written as a default std::ostream writes a float (6
// significant digits).
std::string prediction_table_csv(const PredictionTable& table);

// --- eval-robustness.csv: path,patient,label,distortion,severity,predicted ---

struct RobustnessRow {
  std::string path, patient, label, distortion;
  int severity = 0;
  std::string predicted;
};

std::vector<RobustnessRow> read_robustness_table(const std::string& csv_path);

std::string robustness_table_csv(const std::vector<RobustnessRow>& rows);

}  // namespace leuko
