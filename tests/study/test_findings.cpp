// The generated findings state what the numbers of a real comparison (the Aria runs of the fixture)
// show, and nothing the numbers do not.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "study/findings.h"

namespace leuko {
namespace {

nlohmann::json fixture() {
  return nlohmann::json::parse(std::ifstream(std::string(LEUKO_SOURCE_DIR) + "/tests/report/fixtures/results-small.json"));
}

TEST(Findings, BestModelHardestClassWorstDistortionAndMostRobustModel) {
  auto f = comparison_findings(fixture());
  ASSERT_EQ(f.size(), 4u);
  // resnet50 0.991 vs simple-cnn 0.986; McNemar p = 0.6875 in the fixture's pairwise table.
  EXPECT_EQ(f[0].rfind("resnet50 has the highest macro-F1, 0.991 [0.981, 0.998]", 0), 0u) << f[0];
  EXPECT_NE(f[0].find("next is simple-cnn at 0.986"), std::string::npos) << f[0];
  EXPECT_NE(f[0].find("not significant (McNemar p = 0.688)"), std::string::npos) << f[0];
  EXPECT_NE(f[1].find("The hardest class is Benign"), std::string::npos) << f[1];
  EXPECT_NE(f[2].find("The most damaging distortion is contrast"), std::string::npos) << f[2];
  EXPECT_EQ(f[3].rfind("vit-hybrid holds up best under distortion", 0), 0u) << f[3];
}

TEST(Findings, ASignificantLeadIsCalledSignificantAndHarmlessDistortionsAreNotCalledDamaging) {
  auto r = fixture();
  for (auto& p : r["pairwise"]) p["p_value"] = 0.001;
  for (auto& m : r["models"])
    for (auto& row : m["eval"]["robustness"]) row["f1_macro"] = m["eval"]["f1_macro"].get<double>() + 0.001;
  auto f = comparison_findings(r);
  EXPECT_NE(f[0].find("The difference is significant (McNemar p = 0.001)"), std::string::npos) << f[0];
  EXPECT_EQ(f[2].rfind("No distortion lowers macro-F1", 0), 0u) << f[2];
}

TEST(Findings, NoModelsNoFindings) { EXPECT_TRUE(comparison_findings(nlohmann::json::object()).empty()); }

}  // namespace
}  // namespace leuko
