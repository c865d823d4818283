#pragma once
// Minimal RFC-4180 CSV: quoted fields, doubled quotes, CRLF. Enough for label files, manifests
// and split files, with row numbers kept for error messages.
#include <map>
#include <string>
#include <vector>

namespace leuko {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> line_numbers;  // 1-based source line of each row

  // Column index by (case-insensitive) name, or -1.
  int column(const std::string& name) const;
};

// Reads a CSV (delimiter ',') or TSV (delimiter '\t') file with a header row. Throws UserError
// naming the file and line for unreadable files, unterminated quotes and ragged rows, and for a
// path that is not an ordinary file (a FIFO would be read forever).
CsvTable read_csv(const std::string& path, char delimiter = ',');

std::string csv_escape(const std::string& field);

// `field` without surrounding spaces, tabs and line breaks: hand-written CSVs carry them
// ("a.png, Benign"), and "Benign " must not become a class of its own.
std::string trim_space(const std::string& field);

}  // namespace leuko
