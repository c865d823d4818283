// The per-image tables beside eval.json: what the writer writes the reader reads back, and every
// malformed file is a UserError that starts with the file's path.
#include <gtest/gtest.h>

#include <fstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/test_paths.h"
#include "run/eval_tables.h"

namespace leuko {
namespace {

// The UserError `read` throws; fails the test when it throws none.
template <typename Read>
std::string read_error(Read read) {
  try {
    read();
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UserError";
  return "";
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(EvalTables, PredictionTableRoundTrips) {
  test::TempDir dir;
  PredictionTable t{{"ALL", "HEM, early"},
                    {{"a/1.png", "ALL", "ALL", {0.75f, 0.25f}},
                     {"b/\"odd\", name.png", "HEM, early", "ALL", {0.5f, 0.5f}},
                     {"c.png", "HEM, early", "HEM, early", {0.125f, 0.875f}}}};
  const std::string csv = prediction_table_csv(t);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "path,label,predicted,p_ALL,\"p_HEM, early\"");
  const std::string path = dir.str() + "/eval-predictions.csv";
  write_file_atomically(path, csv);

  PredictionTable back = read_prediction_table(path, t.classes);
  EXPECT_EQ(back.classes, t.classes);
  ASSERT_EQ(back.rows.size(), t.rows.size());
  for (size_t i = 0; i < t.rows.size(); ++i) {
    EXPECT_EQ(back.rows[i].path, t.rows[i].path);
    EXPECT_EQ(back.rows[i].label, t.rows[i].label);
    EXPECT_EQ(back.rows[i].predicted, t.rows[i].predicted);
    EXPECT_EQ(back.rows[i].probs, t.rows[i].probs);
  }
  // Without classes the probabilities are not read.
  EXPECT_TRUE(read_prediction_table(path, {}).rows[1].probs.empty());
}

TEST(EvalTables, ProbabilitiesAreWrittenAsEvaluateAlwaysWroteThem) {
  // Six significant digits, as a default std::ostream writes a float.
  std::string csv = prediction_table_csv({{"A"}, {{"x", "A", "A", {1.0f / 3}}}});
  EXPECT_EQ(csv, "path,label,predicted,p_A\nx,A,A,0.333333\n");
}

TEST(EvalTables, RobustnessTableRoundTrips) {
  test::TempDir dir;
  std::vector<RobustnessRow> rows{{"a.png", "P1", "ALL", "gaussian-noise", 1, "HEM"},
                                  {"b,c.png", "", "HEM", "jpeg", 5, "HEM"}};
  const std::string path = dir.str() + "/eval-robustness.csv";
  write_file_atomically(path, robustness_table_csv(rows));
  const auto back = read_robustness_table(path);
  ASSERT_EQ(back.size(), 2u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(back[i].path, rows[i].path);
    EXPECT_EQ(back[i].patient, rows[i].patient);
    EXPECT_EQ(back[i].label, rows[i].label);
    EXPECT_EQ(back[i].distortion, rows[i].distortion);
    EXPECT_EQ(back[i].severity, rows[i].severity);
    EXPECT_EQ(back[i].predicted, rows[i].predicted);
  }
}

TEST(EvalTables, AMissingColumnNamesTheFile) {
  test::TempDir dir;
  const std::string path = dir.str() + "/eval-robustness.csv";
  write(path, "path,patient,label,distortion,predicted\na.png,P1,ALL,jpeg,ALL\n");
  const std::string e = read_error([&] { read_robustness_table(path); });
  EXPECT_EQ(e.rfind(path, 0), 0u) << e;
  EXPECT_NE(e.find("severity"), std::string::npos) << e;

  const std::string clean = dir.str() + "/eval-predictions.csv";
  write(clean, "path,label,predicted,p_ALL\na.png,ALL,ALL,0.9\n");
  const std::string p = read_error([&] { read_prediction_table(clean, {"ALL", "HEM"}); });
  EXPECT_EQ(p.rfind(clean, 0), 0u) << p;
  EXPECT_NE(p.find("p_HEM"), std::string::npos) << p;
}

TEST(EvalTables, ANonNumericFieldNamesTheFileAndLine) {
  test::TempDir dir;
  const std::string path = dir.str() + "/eval-robustness.csv";
  write(path, "path,patient,label,distortion,severity,predicted\na.png,P1,ALL,jpeg,1,ALL\nb.png,P1,ALL,jpeg,x,ALL\n");
  EXPECT_EQ(read_error([&] { read_robustness_table(path); }), path + ":3: severity 'x' is not a number");
  write(path, "path,patient,label,distortion,severity,predicted\na.png,P1,ALL,jpeg,2.5,ALL\n");
  EXPECT_EQ(read_error([&] { read_robustness_table(path); }), path + ":2: severity '2.5' is not a number");

  const std::string clean = dir.str() + "/eval-predictions.csv";
  write(clean, "path,label,predicted,p_ALL\na.png,ALL,ALL,0.9x\n");
  EXPECT_EQ(read_error([&] { read_prediction_table(clean, {"ALL"}); }), clean + ":2: p_ALL '0.9x' is not a number");
}

TEST(EvalTables, AMissingFileNamesIt) {
  test::TempDir dir;
  const std::string path = dir.str() + "/nowhere-predictions.csv";
  const std::string e = read_error([&] { read_prediction_table(path, {}); });
  EXPECT_EQ(e.rfind(path, 0), 0u) << e;
}

}  // namespace
}  // namespace leuko
