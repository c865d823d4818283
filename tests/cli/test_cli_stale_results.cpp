// Results that describe other weights than the run's: eval.json and trust.json record the sha256 of
// the best.safetensors they were made from, so an evaluation left from before the run trained on
// (or written into it for another run) is never shown as the run's, and `predict` recalibrates.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/run_cli.h"
#include "common/sha256.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;
using test::run_cli;

nlohmann::json load(const std::string& p) { return nlohmann::json::parse(std::ifstream(p)); }

std::string train_args(const std::string& out, int seed) {
  return "train --data " + test::bundled("aria-mini") + " --preset tiny --epochs 1 --max-steps 3 --cache none --quiet --seed " +
         std::to_string(seed) + " --out " + out;
}

TEST(CliStaleResults, ResultsOfEarlierWeightsAreRefusedOrRedone) {
  test::TempDir tmp;
  const std::string run = tmp.str() + "/run", other = tmp.str() + "/other";
  ASSERT_EQ(run_cli(train_args(run, 1)).code, 0);
  ASSERT_EQ(run_cli(train_args(other, 2)).code, 0);
  auto evaluated = run_cli("evaluate " + run + " --bootstrap 10 --cache none");
  ASSERT_EQ(evaluated.code, 0) << evaluated.err;
  ASSERT_EQ(run_cli("calibrate " + run + " --cache none").code, 0);
  const std::string first = sha256_file(run + "/best.safetensors");
  EXPECT_EQ(load(run + "/eval.json")["weights_sha256"], first);
  EXPECT_EQ(load(run + "/trust.json")["weights_sha256"], first);
  ASSERT_EQ(run_cli("compare " + run + " --out " + tmp.str() + "/report-before").code, 0);

  // The run's weights change (as when `train --resume` finds a better epoch).
  fs::copy_file(other + "/best.safetensors", run + "/best.safetensors", fs::copy_options::overwrite_existing);
  const std::string second = sha256_file(run + "/best.safetensors");
  ASSERT_NE(first, second);

  auto compared = run_cli("compare " + run + " --out " + tmp.str() + "/report-after");
  EXPECT_EQ(compared.code, 1);
  EXPECT_EQ(compared.err, "error: " + run + "/eval.json: describes other weights than " + run +
                              "/best.safetensors (trained further, or written for another run, since); run "
                              "`leukoscope evaluate " + run + "` again\n");

  const std::string cell = test::bundled("aria-mini/Early/WBC-Malignant-Early-001.jpg");
  auto predicted = run_cli("predict " + run + " " + cell + " --json");
  EXPECT_EQ(predicted.code, 0) << predicted.err;
  EXPECT_NE(predicted.err.find("note: " + run + "/trust.json was fitted to earlier weights"), std::string::npos)
      << predicted.err;
  EXPECT_EQ(load(run + "/trust.json")["weights_sha256"], second);
  auto again = run_cli("predict " + run + " " + cell + " --json");
  EXPECT_EQ(again.err.find("calibrating"), std::string::npos) << again.err;  // current now: no second fit
  // A calibrated run does not use --max-error, but a bad value is still refused, not ignored.
  auto typo = run_cli("predict " + run + " " + cell + " --max-error nan");
  EXPECT_EQ(typo.code, 1);
  EXPECT_EQ(typo.err, "error: --max-error: must be within (0, 1)\n");

  // An evaluation of one run is not written into another run's folder.
  const std::string other_eval_before = fs::exists(other + "/eval.json") ? "present" : "absent";
  auto misplaced = run_cli("evaluate " + run + " --bootstrap 10 --cache none --out " + other);
  EXPECT_EQ(misplaced.code, 1);
  EXPECT_EQ(misplaced.err.rfind("error: --out: " + other + " is another run's folder", 0), 0u) << misplaced.err;
  EXPECT_EQ(std::count(misplaced.err.begin(), misplaced.err.end(), '\n'), 1) << misplaced.err;
  EXPECT_EQ(fs::exists(other + "/eval.json") ? "present" : "absent", other_eval_before);

  // Evaluated again, the run compares again.
  ASSERT_EQ(run_cli("evaluate " + run + " --bootstrap 10 --cache none").code, 0);
  EXPECT_EQ(load(run + "/eval.json")["weights_sha256"], second);
  EXPECT_EQ(run_cli("compare " + run + " --out " + tmp.str() + "/report-again").code, 0);
}

// A run compared with itself (two identical rows, McNemar p = 1) is refused, however it is spelt.
TEST(CliStaleResults, ARunIsNotComparedWithItself) {
  test::TempDir tmp;
  const std::string run = tmp.str() + "/run";
  ASSERT_EQ(run_cli(train_args(run, 1)).code, 0);
  ASSERT_EQ(run_cli("evaluate " + run + " --bootstrap 10 --cache none").code, 0);
  auto twice = run_cli("compare " + run + " " + run + "/ --out " + tmp.str() + "/report");
  EXPECT_EQ(twice.code, 1);
  EXPECT_EQ(twice.err, "error: " + run + "/: given twice (also as " + run + "); compare different runs\n");
  EXPECT_FALSE(fs::exists(tmp.str() + "/report"));
  auto itself = run_cli("evaluate " + run + " --bootstrap 10 --cache none --against " + run);
  EXPECT_EQ(itself.code, 1);
  EXPECT_EQ(itself.err, "error: --against: " + run + " is the run itself; McNemar's test compares two runs\n");
}

}  // namespace
}  // namespace leuko
