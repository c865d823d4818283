// libFuzzer target: the CSV/TSV reader (src/data/csv.cpp, read_csv), which every manifest,
// split file, labels CSV and the C-NMC download manifest go through.
//
// Input: first byte odd = TSV (delimiter '\t', as data/cnmc-kaggle-manifest.tsv), even = CSV;
// the rest is the file, written to a scratch folder (read_csv reads a path).
// Checks: bad input is a UserError; an accepted table has a header, one line number per row,
// every row as wide as the header, line numbers increasing; column() finds each header name.
// Seeds: fuzz/corpus/csv (the bundled manifests, labels CSV and split files, cut to a few rows).
#include <cstdint>
#include <string>

#include "data/csv.h"
#include "fuzz_util.h"

namespace {
leuko::fuzz::Scratch scratch;
const std::string kFile = scratch.path("table.csv");
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char delimiter = (data[0] & 1) ? '\t' : ',';
  leuko::fuzz::write_file(kFile, data + 1, size - 1);
  leuko::fuzz::expect_only_user_errors([&] {
    leuko::CsvTable t = leuko::read_csv(kFile, delimiter);
    FUZZ_CHECK(!t.header.empty());
    FUZZ_CHECK(t.rows.size() == t.line_numbers.size());
    for (size_t r = 0; r < t.rows.size(); ++r) {
      FUZZ_CHECK(t.rows[r].size() == t.header.size());
      FUZZ_CHECK(t.line_numbers[r] >= 2);
      if (r > 0) FUZZ_CHECK(t.line_numbers[r] > t.line_numbers[r - 1]);
      for (const auto& field : t.rows[r]) {
        std::string trimmed = leuko::trim_space(field);
        FUZZ_CHECK(trimmed.size() <= field.size());
      }
    }
    for (const auto& name : t.header) {
      int c = t.column(name);
      FUZZ_CHECK(c >= 0 && static_cast<size_t>(c) < t.header.size());
    }
  });
  return 0;
}
