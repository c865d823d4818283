#include "run/eval_tables.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "data/csv.h"

namespace leuko {

namespace {

int required_column(const CsvTable& t, const std::string& name) {
  const int c = t.column(name);
  if (c < 0) throw UserError(t.path + ": no column '" + name + "'");
  return c;
}

// "FILE:LINE: COLUMN 'TEXT' is not a number"
UserError not_a_number(const CsvTable& t, size_t row, const std::string& column, const std::string& text) {
  return UserError(t.path + ":" + std::to_string(t.line_numbers[row]) + ": " + column + " '" + text + "' is not a number");
}

float parse_float(const CsvTable& t, size_t row, int column) {
  const std::string& text = t.rows[row][static_cast<size_t>(column)];
  char* end = nullptr;
  const float value = std::strtof(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size())
    throw not_a_number(t, row, t.header[static_cast<size_t>(column)], text);
  return value;
}

int parse_int(const CsvTable& t, size_t row, int column) {
  const std::string& text = t.rows[row][static_cast<size_t>(column)];
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || value < INT_MIN || value > INT_MAX)
    throw not_a_number(t, row, t.header[static_cast<size_t>(column)], text);
  return static_cast<int>(value);
}

}  // namespace

PredictionTable read_prediction_table(const std::string& csv_path, const std::vector<std::string>& classes) {
  const CsvTable csv = read_csv(csv_path);
  const int path = required_column(csv, "path"), label = required_column(csv, "label");
  const int predicted = required_column(csv, "predicted");
  std::vector<int> prob_columns;
  for (const auto& c : classes) prob_columns.push_back(required_column(csv, "p_" + c));
  PredictionTable table{classes, {}};
  for (size_t r = 0; r < csv.rows.size(); ++r) {
    const auto& row = csv.rows[r];
    PredictionRow out{row[path], row[label], row[predicted], {}};
    for (int column : prob_columns) out.probs.push_back(parse_float(csv, r, column));
    table.rows.push_back(std::move(out));
  }
  return table;
}

std::string prediction_table_csv(const PredictionTable& table) {
  std::ostringstream csv;
  csv << "path,label,predicted";
  for (const auto& c : table.classes) csv << ',' << csv_escape("p_" + c);
  csv << "\n";
  for (const auto& row : table.rows) {
    csv << csv_escape(row.path) << ',' << csv_escape(row.label) << ',' << csv_escape(row.predicted);
    for (float p : row.probs) csv << ',' << p;
    csv << "\n";
  }
  return csv.str();
}

std::vector<RobustnessRow> read_robustness_table(const std::string& csv_path) {
  const CsvTable csv = read_csv(csv_path);
  const int path = required_column(csv, "path"), patient = required_column(csv, "patient");
  const int label = required_column(csv, "label"), distortion = required_column(csv, "distortion");
  const int severity = required_column(csv, "severity"), predicted = required_column(csv, "predicted");
  std::vector<RobustnessRow> rows;
  for (size_t r = 0; r < csv.rows.size(); ++r) {
    const auto& row = csv.rows[r];
    rows.push_back({row[path], row[patient], row[label], row[distortion], parse_int(csv, r, severity), row[predicted]});
  }
  return rows;
}

std::string robustness_table_csv(const std::vector<RobustnessRow>& rows) {
  std::ostringstream csv;
  csv << "path,patient,label,distortion,severity,predicted\n";
  for (const auto& row : rows)
    csv << csv_escape(row.path) << ',' << csv_escape(row.patient) << ',' << csv_escape(row.label) << ','
        << csv_escape(row.distortion) << ',' << row.severity << ',' << csv_escape(row.predicted) << "\n";
  return csv.str();
}


}  // namespace leuko
