// `leukoscope calibrate` and `predict` as a user runs them, on bundled real images: a tiny run
// trained on the Aria subtypes predicts its own images and real C-NMC cells (which it has never
// seen: out of distribution); the review flags follow the stored rule; unreadable inputs are
// counted and listed with exit status 3; patients are called from C-NMC file names.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/run_cli.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;
using test::run_cli;

nlohmann::json load(const std::string& p) { return nlohmann::json::parse(std::ifstream(p)); }

// One tiny Aria run for the whole file; training is the slow part.
const std::string& aria_run() {
  static const std::string run = [] {
    const std::string dir = fs::temp_directory_path() / ("leuko_predict_run_" + std::to_string(::getpid()));
    auto r = run_cli("train --data " + test::bundled("aria-mini") + " --preset tiny --epochs 3 --cache none --quiet --out " + dir);
    EXPECT_EQ(r.code, 0) << r.err;
    return dir;
  }();
  return run;
}

TEST(CliPredict, CalibrateStoresTemperatureThresholdsAndFeatureDensity) {
  auto r = run_cli("calibrate " + aria_run() + " --max-error 0.2 --cache none");
  ASSERT_EQ(r.code, 0) << r.err;
  auto t = load(aria_run() + "/trust.json");
  EXPECT_GT(t["temperature"].get<double>(), 0);
  EXPECT_EQ(t["max_error"], 0.2);
  EXPECT_EQ(t["validation_images"], 32);
  EXPECT_EQ(t["training_images"], 152);
  if (t["confidence_feasible"].get<bool>()) {
    EXPECT_LE(t["validation_error"].get<double>(), 0.2);
    EXPECT_GT(t["confidence_threshold"].get<double>(), 0.0);
    EXPECT_LE(t["confidence_threshold"].get<double>(), 1.0);
  }
  EXPECT_TRUE(fs::exists(aria_run() + "/feature-density.safetensors"));
  EXPECT_NE(r.out.find("distance threshold"), std::string::npos) << r.out;
}

// The whole bundled Aria subset (folders searched recursively), then real C-NMC cells.
TEST(CliPredict, ProbabilitiesFlagsAndTheOutOfDistributionCells) {
  test::TempDir tmp;
  auto r = run_cli("predict " + aria_run() + " " + test::bundled("aria-mini") + " --out " + tmp.str() + "/aria --cache none --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  auto trust = load(aria_run() + "/trust.json");
  auto j = load(tmp.str() + "/aria/predictions.json");
  ASSERT_EQ(j["n"], 216);
  ASSERT_EQ(j["cells"].size(), 216u);
  EXPECT_FALSE(j["review_rule"].get<std::string>().empty());
  size_t flagged = 0, unlike_aria = 0;
  for (const auto& c : j["cells"]) {
    double sum = 0, best = -1;
    std::string best_class;
    for (const auto& [name, p] : c["probabilities"].items()) {
      sum += p.get<double>();
      if (p.get<double>() > best) best = p.get<double>(), best_class = name;
    }
    EXPECT_NEAR(sum, 1.0, 1e-4);
    EXPECT_EQ(c["predicted"], best_class);
    EXPECT_NEAR(c["confidence"].get<double>(), best, 1e-5);
    EXPECT_EQ(c["top_k"][0]["class"], best_class);
    // The stored rule, applied: low confidence or unlike the training data.
    const bool low = trust["confidence_feasible"].get<bool>()
                         ? c["confidence"].get<double>() < trust["confidence_threshold"].get<double>()
                         : true;
    const bool unlike = c["distance"].get<double>() < trust["distance_threshold"].get<double>();
    EXPECT_EQ(c["review"].get<bool>(), low || unlike) << c["path"];
    flagged += c["review"].get<bool>();
    unlike_aria += unlike;
  }
  EXPECT_EQ(j["flagged_for_review"], flagged);
  std::ifstream csv(tmp.str() + "/aria/predictions.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("path,patient,predicted,p_Benign,p_Early,p_Pre,p_Pro,top1,top1_p,top2,top2_p,confidence", 0), 0u)
      << header;

  // Real C-NMC cells on black — another stain, another scanner, other cells: most must read as
  // unlike the training data, far more than the Aria images themselves.
  auto c = run_cli("predict " + aria_run() + " " + test::bundled("cnmc-mini") + " --json --cache none --quiet");
  ASSERT_EQ(c.code, 0) << c.err;
  auto cj = nlohmann::json::parse(c.out);
  size_t unlike_cnmc = 0;
  for (const auto& cell : cj["cells"]) unlike_cnmc += cell["why"].get<std::string>().find("unlike the training data") != std::string::npos;
  const double aria_rate = static_cast<double>(unlike_aria) / 216, cnmc_rate = static_cast<double>(unlike_cnmc) / cj["n"].get<double>();
  std::cout << "[ figures  ] unlike the training data: Aria " << aria_rate << ", C-NMC " << cnmc_rate << "\n";
  EXPECT_GT(cnmc_rate, 0.8);
  EXPECT_LT(aria_rate, 0.2);
}

// evaluate --trust --ood: the review rule on the run's test split and how well each score tells
// real C-NMC cells (never seen) from the Aria test images; read back through RunDir's EvalReport.
TEST(CliPredict, EvaluateMeasuresTheReviewRuleAndOutOfDistributionSeparation) {
  test::TempDir tmp;
  auto r = run_cli("evaluate " + aria_run() + " --trust --ood " + test::bundled("cnmc-mini") + " --bootstrap 50 --cache none --quiet --out " +
                   tmp.str());
  ASSERT_EQ(r.code, 0) << r.err;
  auto t = load(tmp.str() + "/eval.json")["trust"];
  ASSERT_TRUE(t.is_object());
  EXPECT_GT(t["ood_images"].get<int>(), 20);
  ASSERT_EQ(t["ood"].size(), 4u);
  for (const auto& o : t["ood"]) {
    EXPECT_GE(o["auroc"].get<double>(), 0.0);
    EXPECT_LE(o["auroc"].get<double>(), 1.0);
    if (o["score"] == "distance") EXPECT_GT(o["auroc"].get<double>(), 0.9) << "features must tell C-NMC cells from Aria fields";
  }
  // Nearly every never-seen cell is set aside (the tiny run may flag its own images too when no
  // confidence threshold meets the error target: then every cell is flagged).
  EXPECT_GE(t["ood_flagged_share"].get<double>(), t["flagged_share"].get<double>());
  EXPECT_GT(t["ood_flagged_share"].get<double>(), 0.8);
  const auto& curve = t["risk_coverage"];
  ASSERT_FALSE(curve.empty());
  EXPECT_DOUBLE_EQ(curve.back()[0].get<double>(), 1.0);  // the curve ends with every image accepted
  // Coverage rises along the curve.
  for (size_t i = 1; i < curve.size(); ++i) EXPECT_GT(curve[i][0].get<double>(), curve[i - 1][0].get<double>());
  EXPECT_NE(r.out.find("OOD distance"), std::string::npos) << r.out;
}

// --explain on predict: a captioned side-by-side picture and a 16-bit map per cell, indexed in
// explanations.csv, named in predictions.csv and shown on the review page.
TEST(CliPredict, ExplainWritesHeatmapsThePredictionsNameAndTheReviewPageShows) {
  test::TempDir tmp;
  const std::string heatmaps = tmp.str() + "/heatmaps";
  auto r = run_cli("predict " + aria_run() + " " + test::bundled("aria-mini/Pre") + " " + test::bundled("cnmc-mini") +
                   " --explain " + heatmaps + " --report --out " + tmp.str() + " --cache none --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = load(tmp.str() + "/predictions.json");
  const size_t cells = j["cells"].size();
  ASSERT_GT(cells, 30u);
  std::ifstream index(heatmaps + "/explanations.csv");
  std::string line;
  std::getline(index, line);
  EXPECT_EQ(line, "path,class,method,picture,map");
  size_t rows = 0;
  while (std::getline(index, line)) ++rows;
  EXPECT_EQ(rows, cells) << "one Grad-CAM per cell for the simple CNN";
  for (const auto& c : j["cells"]) {
    ASSERT_TRUE(c.contains("heatmap")) << c["path"];
    const std::string picture = c["heatmap"];
    cv::Mat shown = cv::imread(picture, cv::IMREAD_COLOR);
    ASSERT_FALSE(shown.empty()) << picture;
    EXPECT_EQ(shown.cols, 2 * 224 + 4) << "two panels, upscaled from the tiny preset's 32 px";
    const std::string map_path = picture.substr(0, picture.size() - 4) + ".map.png";
    cv::Mat map = cv::imread(map_path, cv::IMREAD_UNCHANGED);
    ASSERT_EQ(map.type(), CV_16U) << map_path;
    EXPECT_EQ(map.cols, 32);
    EXPECT_EQ(map.rows, 32);
  }
  std::ifstream csv(tmp.str() + "/predictions.csv");
  std::getline(csv, line);
  EXPECT_NE(line.find(",heatmap"), std::string::npos) << line;
  std::ifstream page(tmp.str() + "/review.html");
  const std::string html((std::istreambuf_iterator<char>(page)), {});
  EXPECT_NE(html.find("the cell as the model saw it, and its heatmap"), std::string::npos);
  EXPECT_NE(r.out.find("explanations.csv"), std::string::npos) << r.out;
  // An explanations folder that cannot be made is one error line, and nothing is half-written.
  auto bad = run_cli("predict " + aria_run() + " " + test::bundled("cnmc-mini") + " --explain /proc/nope --cache none --quiet");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("error: /proc/nope"), std::string::npos) << bad.err;
}

// evaluate --explain and the sweep's worst distortions as out-of-distribution sets.
TEST(CliPredict, EvaluateExplainsAndScoresTheWorstDistortionsAsUnseen) {
  test::TempDir tmp;
  auto r = run_cli("evaluate " + aria_run() + " --trust --distortions --explain " + tmp.str() +
                   "/maps --bootstrap 20 --cache none --quiet --out " + tmp.str());
  ASSERT_EQ(r.code, 0) << r.err;
  auto e = load(tmp.str() + "/eval.json");
  const auto& distorted = e["trust"]["distorted_ood"];
  ASSERT_EQ(distorted.size(), 8u) << "every family of the sweep";
  for (const auto& d : distorted) {
    EXPECT_EQ(d["severity"], 5);
    EXPECT_EQ(d["images"], e["n"]);
    ASSERT_EQ(d["ood"].size(), 4u);
    for (const auto& o : d["ood"]) {
      EXPECT_GE(o["auroc"].get<double>(), 0.0);
      EXPECT_LE(o["auroc"].get<double>(), 1.0);
    }
  }
  size_t pictures = 0;
  for (const auto& f : fs::directory_iterator(tmp.str() + "/maps"))
    pictures += f.path().string().size() > 12 && f.path().string().rfind(".grad-cam.png") == f.path().string().size() - 13;
  EXPECT_EQ(pictures, e["n"].get<size_t>());
  EXPECT_NE(r.out.find("at severity 5"), std::string::npos) << r.out;
}

TEST(CliPredict, ReviewPageListsFlaggedCellsFirst) {
  test::TempDir tmp;
  auto r = run_cli("predict " + aria_run() + " " + test::bundled("aria-mini/Benign") + " " + test::bundled("cnmc-mini") +
                   " --report --out " + tmp.str() + " --cache none --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(tmp.str() + "/review.html");
  const std::string html((std::istreambuf_iterator<char>(in)), {});
  auto j = load(tmp.str() + "/predictions.json");
  ASSERT_GT(j["flagged_for_review"].get<int>(), 0);
  const size_t flagged = html.find("Flagged for review"), accepted = html.find("Accepted as");
  ASSERT_NE(flagged, std::string::npos);
  if (accepted != std::string::npos) EXPECT_LT(flagged, accepted);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("data:image/png;base64,"), std::string::npos);
  EXPECT_EQ(run_cli("predict " + aria_run() + " " + test::bundled("cnmc-mini") + " --report").code, 1);  // no --out
}

TEST(CliPredict, PatientsFromCnmcNamesAndACsvManifest) {
  test::TempDir tmp;
  auto r = run_cli("predict " + aria_run() + " " + test::bundled("cnmc-mini") + " --patients --json --cache none --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_FALSE(j["patients"].empty());
  int cells = 0;
  size_t with_patient = 0;
  for (const auto& c : j["cells"]) with_patient += !c["patient"].get<std::string>().empty();
  for (const auto& p : j["patients"]) {
    cells += p["cells"].get<int>();
    int per_class = 0;
    std::string best;
    double best_p = -1;
    for (const auto& [name, n] : p["cells_per_class"].items()) per_class += n.get<int>();
    for (const auto& [name, m] : p["mean_probabilities"].items())
      if (m.get<double>() > best_p) best_p = m.get<double>(), best = name;
    EXPECT_EQ(per_class, p["cells"].get<int>());
    EXPECT_EQ(p["call"], best);
  }
  EXPECT_EQ(static_cast<size_t>(cells), with_patient);

  // A CSV manifest gives the patient explicitly.
  const std::string csv = tmp.str() + "/cells.csv";
  std::ofstream(csv) << "path,patient\n"
                     << test::bundled("aria-mini/Benign") + "/" + fs::directory_iterator(test::bundled("aria-mini/Benign"))->path().filename().string()
                     << ",P7\n";
  auto m = run_cli("predict " + aria_run() + " " + csv + " --patients --json --cache none --quiet");
  ASSERT_EQ(m.code, 0) << m.err;
  auto mj = nlohmann::json::parse(m.out);
  ASSERT_EQ(mj["patients"].size(), 1u);
  EXPECT_EQ(mj["patients"][0]["patient"], "P7");
}

TEST(CliPredict, UnreadableInputsAreListedAndCountedWithExitStatusThree) {
  test::TempDir tmp;
  const fs::path in = tmp.path() / "in";
  fs::create_directories(in);
  fs::copy(test::bundled("aria-mini/Pro"), in / "good");
  std::ofstream(in / "broken.png") << "not a png";
  std::ofstream(in / "empty.jpg");
  auto r = run_cli("predict " + aria_run() + " " + in.string() + " --out " + tmp.str() + "/out --cache none --quiet");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.err.rfind("warning: 2 input file(s) skipped", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  auto j = load(tmp.str() + "/out/predictions.json");
  EXPECT_EQ(j["skipped"].size(), 2u);
  EXPECT_EQ(j["n"], 55);  // every Pro image of the subset was still predicted

  for (const std::string& args : {"predict " + aria_run() + " " + (in / "broken.png").string(),
                                  "predict " + aria_run() + " /nonexistent/cells",
                                  "predict " + tmp.str() + " " + in.string(),
                                  "predict " + aria_run() + " " + in.string() + " --top-k 0"}) {
    auto bad = run_cli(args + " --cache none --quiet");
    EXPECT_EQ(bad.code, 1) << args << ": " << bad.err;
    EXPECT_EQ(bad.err.rfind("error: ", 0), 0u) << args << ": " << bad.err;
    EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << args << ": " << bad.err;
  }
}

}  // namespace
}  // namespace leuko
