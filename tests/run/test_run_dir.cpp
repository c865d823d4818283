// RunDir, the one owner of a run folder's files: a real run (trained and evaluated by the
// binary on bundled real images) is read back through it file by file, the files agree with each
// other, and every malformed file — empty, truncated, wrong types, missing keys — is one
// UserError naming the file (and through the CLI, one `error:` line).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/run_cli.h"
#include "data/distort.h"
#include "run/run_dir.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

// One tiny real run shared by the tests of this file (training it is the slow part).
const std::string& real_run() {
  static const std::string run = [] {
    const std::string dir = fs::temp_directory_path() / ("leuko_rundir_" + std::to_string(::getpid()));
    auto t = test::run_cli("train --data " + test::bundled("aria-mini") +
                           " --preset tiny --epochs 2 --cache none --quiet --out " + dir);
    EXPECT_EQ(t.code, 0) << t.err;
    auto e = test::run_cli("evaluate " + dir + " --distortions --patients --bootstrap 50 --cache none --quiet");
    EXPECT_EQ(e.code, 0) << e.err;
    return dir;
  }();
  return run;
}

// A copy of the real run, to damage one file of.
std::string copy_of_real_run(const test::TempDir& tmp) {
  const std::string copy = tmp.str() + "/run";
  fs::copy(real_run(), copy, fs::copy_options::recursive);
  return copy;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(RunDir, ReadsEveryFileOfARealRunAndTheyAgree) {
  const RunDir run = RunDir::existing(real_run());
  const RunRecord config = run.read_config();
  EXPECT_EQ(config.config.model, "simple-cnn");
  EXPECT_EQ(config.config.preset, "tiny");
  EXPECT_EQ(config.classes, (std::vector<std::string>{"Benign", "Early", "Pre", "Pro"}));
  ASSERT_TRUE(config.training.has_value());
  EXPECT_EQ(config.training->epochs_completed, 2);
  EXPECT_TRUE(config.finished(2));
  EXPECT_FALSE(config.finished(3));

  const auto log = run.read_log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].epoch, 0);
  EXPECT_EQ(log[1].epoch, 1);
  // The best epoch's validation F1 is what config.json calls the best.
  EXPECT_DOUBLE_EQ(log[static_cast<size_t>(config.training->best_epoch)].val_f1_macro, config.training->best_val_f1_macro);

  const Dataset split = run.read_split();
  size_t test_images = 0;
  for (const auto& s : split.samples) test_images += s.split == "test";
  EXPECT_EQ(static_cast<int64_t>(test_images), config.data.test);
  EXPECT_EQ(static_cast<int64_t>(split.samples.size()), config.data.train + config.data.val + config.data.test);
  EXPECT_EQ(run.require_weights(), real_run() + "/best.safetensors");
  EXPECT_TRUE(run.has_checkpoint());

  const EvalReport eval = run.eval().read_report();
  EXPECT_EQ(eval.split, "test");
  EXPECT_EQ(eval.classes, config.classes);
  EXPECT_EQ(eval.metrics.n, static_cast<long>(test_images));
  ASSERT_TRUE(eval.robustness.has_value());
  EXPECT_EQ(eval.robustness->size(), distortion_families().size() * kSeverities);
  ASSERT_TRUE(eval.calibration.has_value());
  EXPECT_GT(eval.calibration->temperature, 0);

  const PredictionTable predictions = run.eval().read_predictions(eval.classes);
  ASSERT_EQ(predictions.rows.size(), test_images);
  long right = 0;
  for (const auto& row : predictions.rows) {
    right += row.label == row.predicted;
    ASSERT_EQ(row.probs.size(), eval.classes.size());
  }
  EXPECT_NEAR(eval.metrics.accuracy, static_cast<double>(right) / static_cast<double>(test_images), 1e-12);
  EXPECT_EQ(run.eval().read_robustness().size(), test_images * eval.robustness->size());

  // Written back, read again: the same report.
  test::TempDir tmp;
  const EvalFiles copy(tmp.str());
  copy.write_report(eval);
  EXPECT_EQ(to_json(copy.read_report()), to_json(eval));
}

TEST(RunDir, NotARunFolderIsOneErrorNamingIt) {
  test::TempDir tmp;
  EXPECT_EQ(error_of([&] { RunDir::existing(tmp.str()); }), tmp.str() + ": not a run folder (no config.json)");
  EXPECT_EQ(error_of([&] { RunDir::existing(tmp.str() + "/nope"); }), tmp.str() + "/nope: no such run folder");
  EXPECT_EQ(error_of([&] { RunDir(tmp.str()).require_weights(); }),
            tmp.str() + "/best.safetensors: missing (the run finished no epoch)");
}

struct Damage {
  std::string name;
  std::function<void(nlohmann::json&)> apply;  // on the parsed file; unused for raw text cases
  std::string expected;                        // part of the message after "FILE: "
};

// config.json: each damage is one UserError naming the file, and `evaluate` prints exactly it.
TEST(RunDir, EveryMalformedConfigIsOneErrorNamingTheFile) {
  test::TempDir tmp;
  const std::string run = copy_of_real_run(tmp);
  const std::string path = run + "/config.json";
  const std::string good = read_file_to_string(path);
  const std::vector<std::pair<std::string, std::string>> raw = {
      {"", "empty file"},
      {good.substr(0, good.size() / 2), "not valid JSON (truncated)"},
      {"[1, 2]", "expected a JSON object"},
      // A number past double's range is nlohmann's out_of_range, not a parse_error (a fuzz finding).
      {"{\"image_size\": 1e999}", "not valid JSON (number overflow parsing '1e999')"},
  };
  const std::vector<Damage> damages = {
      {"missing classes", [](nlohmann::json& j) { j.erase("classes"); }, "classes: missing"},
      {"missing config", [](nlohmann::json& j) { j.erase("config"); }, "config: missing"},
      {"classes not a list", [](nlohmann::json& j) { j["classes"] = 4; }, "classes: expected a list, found 4"},
      {"image size a string", [](nlohmann::json& j) { j["image_size"] = "big"; }, "image_size: expected a whole number"},
      {"epochs fractional", [](nlohmann::json& j) { j["config"]["epochs"] = 2.5; }, "config.epochs: expected a whole number"},
      {"unknown amp", [](nlohmann::json& j) { j["config"]["amp"] = "fp8"; }, "config.amp: 'fp8' is not one of off, bf16 or auto"},
      {"zero std", [](nlohmann::json& j) { j["normalisation"]["std"] = {0, 0.2, 0.2}; }, "normalisation.std: every channel"},
      {"one class", [](nlohmann::json& j) { j["classes"] = {"Benign"}; }, "classes: a classifier needs at least two"},
      {"training wrong type", [](nlohmann::json& j) { j["training"]["seconds"] = "long"; }, "training.seconds: expected a number"},
  };
  auto check = [&](const std::string& label, const std::string& expected) {
    const std::string message = error_of([&] { RunDir(run).read_config(); });
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << label << ": " << message;
    EXPECT_NE(message.find(expected), std::string::npos) << label << ": " << message;
    auto r = test::run_cli("evaluate " + run + " --cache none --bootstrap 10");
    EXPECT_NE(r.code, 0) << label;
    EXPECT_EQ(r.err, "error: " + message + "\n") << label;
  };
  for (const auto& [text, expected] : raw) {
    write_file_atomically(path, text);
    check("raw " + expected, expected);
  }
  for (const auto& d : damages) {
    nlohmann::json j = nlohmann::json::parse(good);
    d.apply(j);
    write_file_atomically(path, j.dump());
    check(d.name, d.expected);
  }
  // A folder where the file should be is said to be one (it was read as an "empty file").
  std::filesystem::remove(path);
  std::filesystem::create_directory(path);
  check("a folder", "not a regular file (a folder)");
}

TEST(RunDir, EveryMalformedEvalLogAndTableIsOneErrorNamingTheFile) {
  test::TempDir tmp;
  const std::string run = copy_of_real_run(tmp);
  const RunDir dir(run);
  const EvalFiles eval = dir.eval();
  const std::string good = read_file_to_string(eval.report_path());
  const std::vector<Damage> damages = {
      {"missing n", [](nlohmann::json& j) { j.erase("n"); }, "n: missing"},
      {"f1 a string", [](nlohmann::json& j) { j["f1_macro"] = "high"; }, "f1_macro: expected a number"},
      {"short confusion", [](nlohmann::json& j) { j["confusion_matrix"].erase(0); }, "confusion_matrix: needs one row per class"},
      {"per class missing", [](nlohmann::json& j) { j["per_class"].erase("Pro"); }, "per_class.Pro: missing"},
      {"ci not a pair", [](nlohmann::json& j) { j["ci95"]["accuracy"] = {0.5}; }, "ci95.accuracy: expected [lo, hi]"},
      {"robustness row", [](nlohmann::json& j) { j["robustness"][3].erase("severity"); }, "robustness[3].severity: missing"},
  };
  for (const auto& d : damages) {
    nlohmann::json j = nlohmann::json::parse(good);
    d.apply(j);
    write_file_atomically(eval.report_path(), j.dump());
    const std::string message = error_of([&] { eval.read_report(); });
    EXPECT_EQ(message.rfind(eval.report_path() + ": ", 0), 0u) << d.name << ": " << message;
    EXPECT_NE(message.find(d.expected), std::string::npos) << d.name << ": " << message;
  }
  for (const std::string& text : {std::string(""), good.substr(0, 100)}) {
    write_file_atomically(eval.report_path(), text);
    const std::string message = error_of([&] { eval.read_report(); });
    EXPECT_EQ(message.rfind(eval.report_path() + ": ", 0), 0u) << message;
    // compare reads the same file and says the same, on one line.
    auto r = test::run_cli("compare " + run + " --out " + tmp.str() + "/cmp");
    EXPECT_NE(r.code, 0);
    EXPECT_EQ(r.err, "error: " + message + "\n");
  }

  const std::string log_good = read_file_to_string(dir.log_path());
  write_file_atomically(dir.log_path(), log_good + "{\"epoch\": 2, \"lr\": \"fast\"}\n");
  EXPECT_EQ(error_of([&] { dir.read_log(); }).rfind(dir.log_path() + ":3: lr: expected a number", 0), 0u)
      << error_of([&] { dir.read_log(); });
  write_file_atomically(dir.log_path(), log_good.substr(0, log_good.size() - 20));
  EXPECT_EQ(error_of([&] { dir.read_log(); }).rfind(dir.log_path() + ":2: not valid JSON", 0), 0u)
      << error_of([&] { dir.read_log(); });

  std::string csv = read_file_to_string(eval.robustness_path());
  const size_t second_line = csv.find('\n') + 1;
  const size_t severity_start = csv.find(',', csv.find(',', csv.find(',', csv.find(',', second_line) + 1) + 1) + 1) + 1;
  csv.replace(severity_start, 1, "x");
  write_file_atomically(eval.robustness_path(), csv);
  EXPECT_EQ(error_of([&] { eval.read_robustness(); }).rfind(eval.robustness_path() + ":2: ", 0), 0u)
      << error_of([&] { eval.read_robustness(); });
  write_file_atomically(eval.predictions_path(), "path,label\nx.png,Benign\n");
  EXPECT_EQ(error_of([&] { eval.read_predictions({"Benign", "Early", "Pre", "Pro"}); }).rfind(eval.predictions_path() + ": ", 0), 0u)
      << error_of([&] { eval.read_predictions({"Benign", "Early", "Pre", "Pro"}); });
}

}  // namespace
}  // namespace leuko
