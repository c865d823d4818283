// `leukoscope study` and `compare` end to end on the bundled Aria subset, at the `tiny` presets
// and a few steps: every report file and section, results.json equal to each run's eval.json,
// the distortion ablation recorded per strategy, and a re-run that reuses finished steps.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/run_cli.h"

namespace leuko {
namespace {
using test::run_cli;
namespace fs = std::filesystem;

nlohmann::json load(const std::string& p) { return nlohmann::json::parse(std::ifstream(p)); }

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::vector<std::string> kSections = {"Summary", "Dataset", "Preprocessing", "Models", "Main results",
                                            "Pairwise comparison", "Per-class results", "Training curves",
                                            "Confusion matrices", "ROC curves", "Robustness", "Calibration",
                                            "Knowing when not to trust a prediction", "Reproducibility"};

std::string tiny_config(const std::string& dir, bool ablation) {
  nlohmann::json c = {
      {"name", "tiny-test"},
      {"title", "tiny study for the test suite"},
      {"data", test::bundled("aria-mini")},
      {"split", {{"by", "cluster"}, {"val", 0.15}, {"test", 0.15}, {"seed", 42}}},
      {"training", {{"epochs", 1}, {"batch", 16}, {"max_steps_per_epoch", 2}, {"amp", "off"}, {"seed", 42}}},
      {"models", {{{"model", "simple-cnn"}, {"preset", "tiny"}}, {{"model", "resnet50"}, {"preset", "tiny"}},
                  {{"model", "vit-hybrid"}, {"preset", "tiny"}}}},
      {"evaluation", {{"distortions", true}, {"bootstrap", 50}, {"trust", true}, {"ood", {test::bundled("cnmc-mini")}}}}};
  if (ablation)
    c["ablation"] = {{"model", "simple-cnn"}, {"preset", "tiny"}, {"denoise", "median"}, {"distortion_p", 0.5}};
  std::string path = dir + "/tiny.json";
  std::ofstream(path) << c.dump(2);
  return path;
}

// Every number of the report's source must be the run's own: compare each scalar and the CIs.
void expect_results_match_runs(const std::string& out) {
  auto results = load(out + "/results.json");
  ASSERT_EQ(results["schema"], "leukoscope-results/1");
  ASSERT_EQ(results["models"].size(), 3u);
  for (const auto& m : results["models"]) {
    auto eval = load(m["run"].get<std::string>() + "/eval.json");
    for (const char* key : {"accuracy", "balanced_accuracy", "precision_macro", "recall_macro", "f1_macro",
                            "f1_weighted", "specificity_macro", "auroc_macro", "n"})
      EXPECT_EQ(m["eval"][key], eval[key]) << m["name"] << " " << key;
    EXPECT_EQ(m["eval"]["ci95"], eval["ci95"]) << m["name"];
    EXPECT_EQ(m["eval"]["confusion_matrix"], eval["confusion_matrix"]) << m["name"];
    EXPECT_EQ(m["eval"]["robustness"], eval["robustness"]) << m["name"];
    EXPECT_EQ(m["eval"]["trust"], eval["trust"]) << m["name"];
    EXPECT_EQ(eval["trust"]["ood"].size(), 4u) << m["name"];
    EXPECT_FALSE(m["curves"].empty()) << m["name"];
    EXPECT_EQ(m["roc"].size(), 4u) << m["name"];
  }
  EXPECT_EQ(results["pairwise"].size(), 3u);
  EXPECT_FALSE(results["findings"].empty());
}

void expect_sections(const std::string& out, const std::vector<std::string>& sections) {
  const std::string html = slurp(out + "/report.html"), md = slurp(out + "/report.md");
  for (const auto& s : sections) {
    EXPECT_NE(md.find("\n## " + s + "\n"), std::string::npos) << "report.md lacks " << s;
    EXPECT_NE(html.find(">" + s + "</h2>"), std::string::npos) << "report.html lacks " << s;
  }
  EXPECT_EQ(html.find("https://"), std::string::npos) << "the HTML report must not load anything";
}

TEST(CliStudy, TinyStudyWritesEveryReportSectionAndReusesFinishedSteps) {
  test::TempDir tmp;
  const std::string out = tmp.str() + "/study", cache = tmp.str() + "/cache";
  const std::string cmd = "study --config " + tiny_config(tmp.str(), true) + " --out " + out + " --cache " + cache + " --quiet";
  auto r = run_cli(cmd);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  for (const char* f : {"report.html", "report.md", "results.json", "split.csv", "split.json", "scan.json", "study.json"})
    EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
  auto sections = kSections;
  sections.push_back("Distortion-handling ablation");
  expect_sections(out, sections);
  expect_results_match_runs(out);
  for (const char* step : {"[study] scan:", "[study] split:", "[study] train:", "[study] evaluate:", "[study] report:"})
    EXPECT_NE(r.out.find(step), std::string::npos) << step;

  // The ablation: five strategies, each one's settings in the config.json of the run it scored.
  auto results = load(out + "/results.json");
  const auto& ab = results["ablation"];
  ASSERT_EQ(ab["strategies"].size(), 5u);
  const std::string md = slurp(out + "/report.md");
  for (const auto& s : ab["strategies"]) {
    const std::string name = s["name"];
    EXPECT_NE(md.find(name), std::string::npos) << name;
    for (const char* key : {"clean_f1", "corrupted_f1", "held_out_f1", "mce"}) {
      EXPECT_GE(s[std::string(key) + "_ci"][1].get<double>(), s[std::string(key) + "_ci"][0].get<double>()) << name << key;
    }
    auto config = load(s["run"].get<std::string>() + "/config.json")["config"];
    auto eval = load(s["eval"].get<std::string>());
    const bool denoised = name == "denoise" || name == "denoise+distortion-aug";
    const bool augmented = name == "distortion-aug" || name == "denoise+distortion-aug";
    EXPECT_EQ(config["preprocess"]["denoise"], denoised ? "median" : "none") << name;
    EXPECT_EQ(config["distortion_p"].get<double>() > 0, augmented) << name;
    EXPECT_EQ(eval["test_time_denoise"], name == "test-time-denoise" ? "median" : "none") << name;
  }
  EXPECT_DOUBLE_EQ(ab["strategies"][0]["mce"].get<double>(), 1.0);  // the baseline, by definition
  EXPECT_EQ(ab["held_out_families"], nlohmann::json({"motion_blur", "pixelate"}));

  // A second run with nothing changed trains and evaluates nothing.
  auto again = run_cli(cmd);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out.find("epochs →"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("train: resnet50: unchanged"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("evaluate: vit-hybrid: unchanged"), std::string::npos) << again.out;
  expect_results_match_runs(out);

  // A lost eval.json is redone alone.
  fs::remove(out + "/runs/resnet50/eval.json");
  auto lost = run_cli(cmd);
  ASSERT_EQ(lost.code, 0) << lost.err;
  EXPECT_NE(lost.out.find("train: resnet50: unchanged"), std::string::npos) << lost.out;
  EXPECT_NE(lost.out.find("evaluate: resnet50: macro-F1"), std::string::npos) << lost.out;
  EXPECT_NE(lost.out.find("evaluate: simple-cnn: unchanged"), std::string::npos) << lost.out;

  // A description in other words, weights that still load: reused as it is.
  const std::string resnet_config = out + "/runs/resnet50/config.json";
  auto config = load(resnet_config);
  const std::string built_now = config["model_spec"]["description"];
  config["model_spec"]["description"] = "bottlenecks 1-1-1-1 of width 8";
  std::ofstream(resnet_config) << config.dump(2);
  auto reworded = run_cli(cmd);
  ASSERT_EQ(reworded.code, 0) << reworded.err;
  EXPECT_NE(reworded.out.find("train: resnet50: unchanged"), std::string::npos) << reworded.out;

  // A run trained when its preset built another architecture — same settings, so the same stamp;
  // here the simple CNN's weights stand for it — is retrained and set aside, not reused.
  fs::copy_file(out + "/runs/simple-cnn/best.safetensors", out + "/runs/resnet50/best.safetensors",
                fs::copy_options::overwrite_existing);
  auto rebuilt = run_cli(cmd);
  ASSERT_EQ(rebuilt.code, 0) << rebuilt.err;
  EXPECT_NE(rebuilt.out.find("its preset now builds another architecture"), std::string::npos) << rebuilt.out;
  EXPECT_NE(rebuilt.out.find("train: resnet50: resnet50 (tiny)"), std::string::npos) << rebuilt.out;
  EXPECT_NE(rebuilt.out.find("evaluate: resnet50: macro-F1"), std::string::npos) << rebuilt.out;
  EXPECT_NE(rebuilt.out.find("train: simple-cnn: unchanged"), std::string::npos) << rebuilt.out;
  EXPECT_EQ(load(resnet_config)["model_spec"]["description"], built_now);
  EXPECT_EQ(load(out + "/runs/resnet50.replaced/config.json")["model_spec"]["description"], "bottlenecks 1-1-1-1 of width 8");
  expect_results_match_runs(out);

  // A changed setting retrains and keeps the old run aside.
  auto third = run_cli(cmd + " --models simple-cnn resnet50 vit-hybrid --ablation none --epochs 2");
  ASSERT_EQ(third.code, 0) << third.err;
  EXPECT_TRUE(fs::exists(out + "/runs/resnet50.replaced/config.json"));
  EXPECT_EQ(load(out + "/runs/resnet50/config.json")["config"]["epochs"], 2);
  EXPECT_FALSE(load(out + "/results.json").contains("ablation"));
  expect_sections(out, kSections);
}

TEST(CliStudy, CompareBuildsTheReportFromFinishedRuns) {
  test::TempDir tmp;
  const std::string a = tmp.str() + "/a", b = tmp.str() + "/b", out = tmp.str() + "/cmp";
  const std::string train = "train --data " + test::bundled("aria-mini") + " --preset tiny --epochs 1 --max-steps 2 --cache none --quiet";
  ASSERT_EQ(run_cli(train + " --out " + a).code, 0);
  ASSERT_EQ(run_cli(train + " --out " + b + " --model resnet50").code, 0);
  auto missing = run_cli("compare " + a + " " + b + " --out " + out);
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find(a + "/eval.json: missing"), std::string::npos) << missing.err;
  ASSERT_EQ(run_cli("evaluate " + a + " --bootstrap 50 --cache none").code, 0);
  ASSERT_EQ(run_cli("evaluate " + b + " --bootstrap 50 --cache none").code, 0);
  auto r = run_cli("compare " + a + " " + b + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.err;
  auto results = load(out + "/results.json");
  ASSERT_EQ(results["models"].size(), 2u);
  EXPECT_EQ(results["pairwise"][0]["comparable"], true);
  EXPECT_EQ(results["models"][1]["eval"]["f1_macro"], load(b + "/eval.json")["f1_macro"]);
  std::vector<std::string> sections = {"Summary", "Dataset", "Models", "Main results", "Pairwise comparison",
                                       "Per-class results", "Reproducibility"};
  expect_sections(out, sections);
  EXPECT_TRUE(results["warnings"].empty());

  // Evaluated on other images: still compared, but said, on stderr and first among the findings.
  ASSERT_EQ(run_cli("evaluate " + b + " --on val --bootstrap 50 --cache none").code, 0);
  auto unlike = run_cli("compare " + a + " " + b + " --out " + out);
  ASSERT_EQ(unlike.code, 0) << unlike.err;
  EXPECT_NE(unlike.err.find("warning: " + b + " was evaluated on val of"), std::string::npos) << unlike.err;
  auto unlike_results = load(out + "/results.json");
  ASSERT_EQ(unlike_results["warnings"].size(), 1u);
  EXPECT_EQ(unlike_results["findings"][0].get<std::string>().rfind("Not comparable as ranked: ", 0), 0u);
}

TEST(CliStudy, ABadConfigurationIsOneLineNamingTheFileAndKey) {
  test::TempDir tmp;
  const std::string path = tmp.str() + "/bad.json";
  std::ofstream(path) << R"({"name": "bad", "trainig": {"epochs": 1}})";
  auto r = run_cli("study --config " + path + " --out " + tmp.str() + "/o");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: " + path + ": trainig: unknown key\n");
  auto unknown = run_cli("study --config no-such-config --out " + tmp.str() + "/o");
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.err.find("no such study configuration"), std::string::npos) << unknown.err;
  // The names it offers are the shipped files, every one of them (a hand-kept list went stale).
  std::vector<std::string> shipped;
  for (const auto& e : std::filesystem::directory_iterator(std::string(LEUKO_TEST_DATA) + "/../configs"))
    if (e.path().extension() == ".json") shipped.push_back(e.path().stem().string());
  ASSERT_GE(shipped.size(), 5u);
  for (const auto& name : shipped) EXPECT_NE(unknown.err.find(name), std::string::npos) << name << ": " << unknown.err;
  EXPECT_EQ(std::count(unknown.err.begin(), unknown.err.end(), '\n'), 1) << unknown.err;
}

}  // namespace
}  // namespace leuko
