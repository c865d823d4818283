// The command-line contract of the data verbs, run as a user would: exit codes, --json output,
// and the one-line `error: …` on bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/run_cli.h"

namespace leuko {
namespace {

using test::run_cli;

TEST(CliData, ScanJsonOnTheSharedMiniature) {
  LEUKO_REQUIRE_SHARED("cnmc-mini/C-NMC_Leukemia");
  auto r = run_cli("data scan --json " + test::shared_data("cnmc-mini/C-NMC_Leukemia"));
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["layout"], "cnmc");
  EXPECT_EQ(j["classes"], nlohmann::json({"all", "hem"}));
  EXPECT_EQ(j["counts"]["train"]["all"], 28);
  EXPECT_EQ(j["counts"]["train"]["hem"], 30);
  EXPECT_EQ(j["patients"]["train"]["all"], 19);
  EXPECT_EQ(j["patients"]["train"]["hem"], 13);
  EXPECT_EQ(j["counts"]["val"]["all"], 5);
  EXPECT_EQ(j["counts"]["val"]["hem"], 3);
  EXPECT_EQ(j["folds"].size(), 3u);
  EXPECT_TRUE(j["skipped"].empty());
}

// One default dataset for every verb that reads one: the bundled Aria subset (what train and
// study default to); only `data verify`, which checks C-NMC downloads, defaults to the C-NMC miniature.
TEST(CliData, ScanAndSplitDefaultToTheBundledAriaSubset) {
  auto r = run_cli("data scan --json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["layout"], "folder");
  EXPECT_EQ(j["counts"]["all"]["Benign"], 53);
  EXPECT_EQ(j["counts"]["all"]["Pro"], 55);
  test::TempDir tmp;
  auto s = run_cli("data split --split-file " + tmp.str() + "/s.csv --json");
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["by"], "cluster");  // auto: Aria has no patient ids
}

TEST(CliData, SplitWritesTheCsvAndAudits) {
  test::TempDir tmp;
  auto r = run_cli("data split " + test::bundled("aria-mini") + " --by cluster --split-file " + tmp.str() + "/split.csv --json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["audit"]["near_duplicate_pairs_across"], 0);
  EXPECT_EQ(j["audit"]["groups_shared"], 0);
  std::ifstream csv(tmp.str() + "/split.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "path,label,patient,group,split");
  // The old spelling still works for one release, and writes the same split.
  auto old = run_cli("data split " + test::bundled("aria-mini") + " --by cluster --out " + tmp.str() + "/old.csv");
  ASSERT_EQ(old.code, 0) << old.err;
  std::ifstream a(tmp.str() + "/split.csv"), b(tmp.str() + "/old.csv");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(a), {}), std::string(std::istreambuf_iterator<char>(b), {}));
}

TEST(CliData, VerifyFailsWithOneLineErrorOnTheMiniature) {
  auto r = run_cli("data verify");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("ok          6"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(CliData, BadInputIsOneLineError) {
  for (const char* args : {"data scan /nonexistent/dir", "data split --split-file /tmp/x.csv --by sideways",
                           "data split /nonexistent --split-file /tmp/x.csv", "data split --near-duplicate-bits 100 --split-file /tmp/x.csv",
                           "data split", "data scan --format tiff"}) {
    auto r = run_cli(args);
    EXPECT_NE(r.code, 0) << args;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << args << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  }
}

}  // namespace
}  // namespace leuko
