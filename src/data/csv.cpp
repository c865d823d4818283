#include "data/csv.h"

#include <algorithm>
#include <cctype>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/regular_file.h"

namespace leuko {

static std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

int CsvTable::column(const std::string& name) const {
  std::string want = lower(name);
  for (size_t i = 0; i < header.size(); ++i)
    if (lower(header[i]) == want) return static_cast<int>(i);
  return -1;
}

CsvTable read_csv(const std::string& path, char delimiter) {
  if (std::string problem = regular_file_problem(path); !problem.empty()) throw UserError(path + ": " + problem);
  std::string text = read_file_to_string(path);
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
    text.erase(0, 3);  // Excel's UTF-8 BOM
  CsvTable table;
  table.path = path;
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false, field_started = false;
  int line = 1, row_line = 1;
  auto end_row = [&] {
    row.push_back(field);
    field.clear();
    bool blank = row.size() == 1 && row[0].empty();
    if (!blank) {
      if (table.header.empty()) {
        table.header = row;
      } else {
        if (row.size() != table.header.size())
          throw UserError(path + ":" + std::to_string(row_line) + ": expected " +
                          std::to_string(table.header.size()) + " fields, found " +
                          std::to_string(row.size()));
        table.rows.push_back(row);
        table.line_numbers.push_back(row_line);
      }
    }
    row.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      in_quotes = true;
      field_started = true;
    } else if (c == delimiter) {
      row.push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\r') {
      // CRLF: the '\n' ends the row
    } else if (c == '\n') {
      end_row();
      ++line;
      row_line = line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (in_quotes) throw UserError(path + ":" + std::to_string(row_line) + ": unterminated quote");
  if (!field.empty() || !row.empty()) end_row();
  if (table.header.empty()) throw UserError(path + ": empty file, expected a header row");
  return table;
}

std::string csv_escape(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string trim_space(const std::string& field) {
  const char* space = " \t\r\n\v\f";
  size_t first = field.find_first_not_of(space);
  if (first == std::string::npos) return {};
  return field.substr(first, field.find_last_not_of(space) - first + 1);
}

}  // namespace leuko
