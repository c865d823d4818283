// `leukoscope evaluate` on real runs: every eval.json key of the contract, numbers that agree with
// the predictions file, the patient view on C-NMC, the robustness sweep, TTA and McNemar.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/run_cli.h"
#include "data/csv.h"

namespace leuko {
namespace {
using test::run_cli;

nlohmann::json load(const std::string& p) { return nlohmann::json::parse(std::ifstream(p)); }

TEST(CliEvaluate, EveryContractKeyOnCnmcWithPatientsDistortionsTtaAndMcNemar) {
  test::TempDir tmp;
  std::string a = tmp.str() + "/a", b = tmp.str() + "/b";
  std::string train = "train --data " + test::bundled("cnmc-mini") + " --preset tiny --epochs 2 --cache none --quiet";
  ASSERT_EQ(run_cli(train + " --out " + a + " --seed 1").code, 0);
  ASSERT_EQ(run_cli(train + " --out " + b + " --seed 2 --model resnet50").code, 0);
  auto r = run_cli("evaluate " + a + " --on all --patients --distortions --tta --bootstrap 200 --cache none --against " + b);
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = load(a + "/eval.json");
  for (const char* key : {"split", "n", "classes", "accuracy", "balanced_accuracy", "precision_macro", "recall_macro",
                          "f1_macro", "f1_weighted", "specificity_macro", "auroc_macro", "per_class", "confusion_matrix",
                          "ci95", "robustness", "patient_level", "mcnemar"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["n"], 24);
  EXPECT_EQ(j["ci95_resampled"], "patients");
  EXPECT_TRUE(j["patient_level"]["available"].get<bool>());
  EXPECT_EQ(j["patient_level"]["n_patients"], 18);  // 14 training patients + 4 validation cells' patients
  // The patient view has its own interval, over patients, around its own point estimate.
  for (const char* m : {"accuracy", "f1_macro", "auroc_macro"}) {
    const auto& pl = j["patient_level"];
    ASSERT_TRUE(pl["ci95"].contains(m)) << m;
    EXPECT_LE(pl["ci95"][m][0].get<double>(), pl[m].get<double>() + 1e-9) << m;
    EXPECT_GE(pl["ci95"][m][1].get<double>(), pl[m].get<double>() - 1e-9) << m;
  }
  EXPECT_NE(r.out.find("per patient (18,"), std::string::npos) << r.out;
  EXPECT_EQ(j["robustness"].size(), 8u * 5u);
  for (const auto& ci : j["ci95"].items()) {
    EXPECT_LE(ci.value()[0].get<double>(), ci.value()[1].get<double>()) << ci.key();
  }
  long sum = 0;
  for (const auto& row : j["confusion_matrix"])
    for (const auto& v : row) sum += v.get<long>();
  EXPECT_EQ(sum, 24);
  const auto& mc = j["mcnemar"];
  EXPECT_EQ(mc["both_right"].get<long>() + mc["only_this_right"].get<long>() + mc["only_other_right"].get<long>() +
                mc["both_wrong"].get<long>(),
            24);
  EXPECT_GE(mc["p_value"].get<double>(), 0.0);
  EXPECT_LE(mc["p_value"].get<double>(), 1.0);
}

TEST(CliEvaluate, AccuracyAgreesWithThePredictionsFile) {
  test::TempDir tmp;
  std::string run = tmp.str() + "/run";
  ASSERT_EQ(run_cli("train --data " + test::bundled("aria-mini") + " --preset tiny --epochs 2 --cache none --quiet --out " + run).code, 0);
  auto r = run_cli("evaluate " + run + " --bootstrap 100 --cache none");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = load(run + "/eval.json");
  EXPECT_EQ(j["split"], "test");
  CsvTable preds = read_csv(run + "/eval-predictions.csv");
  ASSERT_EQ(static_cast<long>(preds.rows.size()), j["n"].get<long>());
  long right = 0;
  for (const auto& row : preds.rows) right += row[1] == row[2];
  EXPECT_DOUBLE_EQ(j["accuracy"].get<double>(), static_cast<double>(right) / preds.rows.size());
  EXPECT_TRUE(j.contains("calibration"));
  EXPECT_GT(j["calibration"]["temperature"].get<double>(), 0.0);
}

// A run trained when its preset meant another architecture (the hybrid's `small` took batch norms
// on 2026-12-06) is refused with one line that says so, not with a list of missing weights —
// by evaluate (and so predict, explain, review: one loader) and by train --resume. Simulated: a
// simple CNN's run recorded as resnet50 `tiny`, whose preset builds a ResNet. A description in
// other words over weights that still load is no change.
TEST(CliEvaluate, ARunWhosePresetChangedArchitectureIsAOneLineError) {
  test::TempDir tmp;
  std::string run = tmp.str() + "/run";
  ASSERT_EQ(run_cli("train --data " + test::bundled("aria-mini") + " --preset tiny --epochs 1 --cache none --quiet --out " + run).code, 0);
  auto config = load(run + "/config.json");
  const std::string trained_as = config["model_spec"]["description"];
  config["model_spec"]["description"] = "2 conv blocks 8-16";  // older wording, same network
  std::ofstream(run + "/config.json") << config.dump(2);
  auto reworded = run_cli("evaluate " + run + " --bootstrap 10 --cache none");
  EXPECT_EQ(reworded.code, 0) << reworded.err;

  config["model_spec"]["description"] = trained_as;
  config["config"]["model"] = "resnet50";
  std::ofstream(run + "/config.json") << config.dump(2);
  auto r = run_cli("evaluate " + run + " --bootstrap 10 --cache none");
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.err.rfind("error: " + run + "/config.json: trained as resnet50 tiny = '" + trained_as, 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("bottlenecks 1-1-1-1, width 8"), std::string::npos) << r.err;  // what the preset is now
  EXPECT_NE(r.err.find("retrain"), std::string::npos) << r.err;
  // Resuming its training is refused the same way.
  auto resumed = run_cli("train --data " + test::bundled("aria-mini") +
                         " --model resnet50 --preset tiny --epochs 2 --cache none --quiet --resume --out " + run);
  EXPECT_NE(resumed.code, 0);
  EXPECT_EQ(resumed.err.rfind("error: " + run + "/config.json: trained as", 0), 0u) << resumed.err;
}

// Test images that went missing after training, or no longer decode, are counted and named, not
// silently dropped; a damaged image of another split is not counted against this one.
TEST(CliEvaluate, MissingAndUnreadableTestImagesAreCountedAndNamed) {
  test::TempDir tmp;
  const std::string data = tmp.str() + "/data", run = tmp.str() + "/run";
  std::filesystem::copy(test::bundled("aria-mini"), data, std::filesystem::copy_options::recursive);
  ASSERT_EQ(run_cli("train --data " + data + " --preset tiny --epochs 1 --max-steps 2 --cache none --quiet --out " + run).code, 0);
  CsvTable split = read_csv(run + "/split.csv");
  const int path = split.column("path"), which = split.column("split");
  std::vector<std::string> test_images, train_images;
  for (const auto& row : split.rows) (row[which] == "test" ? test_images : train_images).push_back(row[path]);
  ASSERT_GE(test_images.size(), 4u);
  ASSERT_FALSE(train_images.empty());
  std::filesystem::remove(test_images[0]);
  std::ofstream(test_images[1], std::ios::trunc) << "not a JPEG any more";
  std::ofstream(train_images[0], std::ios::trunc) << "nor this one";
  auto r = run_cli("evaluate " + run + " --bootstrap 10 --cache none");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: 2 listed images could not be read and are not scored (e.g. "), std::string::npos) << r.err;
  auto j = load(run + "/eval.json");
  EXPECT_EQ(j["skipped_images"], 2);
  EXPECT_EQ(j["n"].get<size_t>(), test_images.size() - 2);
}

TEST(CliEvaluate, NotARunIsAOneLineError) {
  auto r = run_cli("evaluate " + test::bundled("aria-mini"));
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("config.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace leuko
