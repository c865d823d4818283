// Options are parsed once, where they enter: a bad value on the command line or in a study
// configuration is refused before any work starts (no scan, no split, no run folder), with one
// `error:` line naming the option — or the file and key — and the accepted values.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/run_cli.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;
using test::run_cli;

void expect_one_line(const test::CommandResult& r, const std::string& args, const std::string& expected) {
  EXPECT_NE(r.code, 0) << args;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << args << ": " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
  EXPECT_NE(r.err.find(expected), std::string::npos) << args << ": " << r.err;
}

TEST(CliOptions, BadWordsAreRefusedNamingTheOptionAndTheAcceptedValues) {
  test::TempDir tmp;
  const std::string run = tmp.str() + "/run";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"train --out " + run + " --amp fp16", "--amp: 'fp16' is not one of off, bf16 or auto"},
      {"train --out " + run + " --device gpu", "--device: 'gpu' is not one of cpu or cuda"},
      {"train --out " + run + " --optimizer adam", "--optimizer: 'adam' is not one of adamw or sgd"},
      {"train --out " + run + " --denoise wavelet", "--denoise: 'wavelet' is not one of none, median, bilateral or nlm"},
      {"train --out " + run + " --normalise z", "--normalise: 'z' is not one of imagenet or dataset"},
      {"train --out " + run + " --augment extreme", "--augment: 'extreme' is not one of none, light, standard or strong"},
      {"train --out " + run + " --by sideways", "--by: 'sideways' is not one of auto, patient, cluster, image or official"},
      {"train --out " + run + " --lr nan", "--lr: must be a positive number"},
      {"train --out " + run + " --warmup-epochs -1", "--warmup-epochs: must be a number >= 0"},
      {"train --out " + run + " --val nan", "--val: the validation and test fractions"},
      {"train --out " + run + " --ema-decay 1", "--ema-decay: must be 0 (off) or within (0, 1)"},
      {"train --out " + run + " --min-lr 0.01", "--min-lr: must be within 0..the peak learning rate"},
      {"train --out " + run + " --clip-grad -1", "--clip-grad: must be 0 (off) or a positive gradient norm"},
      {"train --out " + run + " --mixup -0.2", "--mixup: must be 0 (off) or a Beta parameter > 0"},
      {"train --out " + run + " --drop-path 0.1", "--drop-path: only the ViT Hybrid's transformer blocks"},
      {"train --out " + run + " --cutmix 1 --class-weights auto", "--class-weights: auto class weights and mixup/cutmix"},
      {"evaluate " + run + " --device gpu", "--device: 'gpu' is not one of cpu or cuda"},
      {"evaluate " + run + " --on train", "--on: 'train' is not one of test, val or all"},
      {"bench --device tpu", "--device: 'tpu' is not one of cpu or cuda"},
      {"study --device gpu --out " + tmp.str() + "/study", "--device: 'gpu' is not one of cpu or cuda"},
      {"study --epochs 0 --out " + tmp.str() + "/study", "--epochs: must be at least 1"},
  };
  for (const auto& [args, expected] : cases) expect_one_line(run_cli(args), args, expected);
  // Refused before any work: nothing was created.
  EXPECT_FALSE(fs::exists(run));
  EXPECT_FALSE(fs::exists(tmp.str() + "/study"));
}

// Numbers out of range, unknown options and paths that cannot be made are bad input: one line
// naming the option or path, exit status 1 (not CLI11's 101-127 or "internal failure" 2), before
// any work — the 4,096-thread predict that ran for minutes and the 1.9 TB bench image included.
TEST(CliOptions, NumbersPathsAndUnknownOptionsAreOneLineAndExitOne) {
  test::TempDir tmp;
  const std::string file = tmp.str() + "/a-file";
  std::ofstream(file) << "not a folder";
  const std::string cell = test::bundled("aria-mini/Early/WBC-Malignant-Early-001.jpg");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bench --batch 0", "--batch: must be at least 1, got 0"},
      {"bench --image-size 100000", "--image-size: must be at most 4096, got 100000"},
      {"bench --steps -1", "--steps: must be at least 1, got -1"},
      {"bench --threads 100000", "--threads: must be at most "},
      {"predict " + tmp.str() + " " + cell + " --threads 100000", "(four per core of this machine), got 100000"},
      {"data scan " + test::bundled("aria-mini") + " --threads 1e9", "--threads: must be a whole number from 0 to "},
      {"train --no-such-option --out " + tmp.str() + "/run", "--no-such-option"},
      {"train --preset tiny --epochs 1 --max-steps 1 --quiet --out " + file + "/run", file + "/run: Not a directory"},
  };
  for (const auto& [args, expected] : cases) {
    const auto r = run_cli(args);
    expect_one_line(r, args, expected);
    EXPECT_EQ(r.code, 1) << args << ": " << r.err;
  }
  EXPECT_EQ(run_cli("bench --help").code, 0);
}

// A study configuration's errors name the file and the key, and come before the scan and split.
TEST(CliOptions, StudyConfigurationErrorsNameTheFileAndKeyBeforeAnyWork) {
  test::TempDir tmp;
  const nlohmann::json base = {{"name", "t"},
                               {"training", {{"epochs", 1}, {"batch", 16}}},
                               {"models", {{{"model", "simple-cnn"}, {"preset", "tiny"}}}}};
  auto with = [&](const nlohmann::json& patch) {
    nlohmann::json j = base;
    j.merge_patch(patch);
    return j;
  };
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {with({{"training", {{"amp", "fp16"}}}}), "training.amp: 'fp16' is not one of off, bf16 or auto"},
      {with({{"training", {{"batch", 16.7}}}}), "training.batch: expected a whole number, found 16.7"},
      {with({{"training", {{"epochs", 4294967297LL}}}}), "training.epochs: expected a whole number in range"},
      {with({{"training", {{"epochs", "two"}}}}), "training.epochs: expected a whole number, found \"two\""},
      {with({{"training", {{"batch", 0}}}}), "training.batch: must be at least 1"},
      {with({{"training", {{"device", "gpu"}}}}), "training.device: 'gpu' is not one of cpu or cuda"},
      {with({{"training", {{"preprocess", {{"denoise", "wavelet"}}}}}}), "training.preprocess.denoise: 'wavelet'"},
      {with({{"models", {{{"model", "simple-cnn"}, {"preset", "tiny"}, {"lr", -1}}}}}), "models[0].lr: must be a positive number"},
      {with({{"split", {{"by", "sideways"}}}}), "split.by: 'sideways' is not one of"},
      {with({{"evaluation", {{"bootstrap", 0}}}}), "evaluation.bootstrap: must be at least 1"},
      {with({{"ablation", {{"denoise", "wavelet"}}}}), "ablation.denoise: 'wavelet' is not one of"},
      // An ablation alone used to train all its models and then fail with nothing to compare.
      {with({{"models", nlohmann::json::array()}, {"ablation", {{"enabled", true}}}}), "models: no models to train"},
  };
  int i = 0;
  for (const auto& [config, expected] : cases) {
    const std::string path = tmp.str() + "/c" + std::to_string(i++) + ".json";
    std::ofstream(path) << config.dump();
    const std::string out = tmp.str() + "/out" + std::to_string(i);
    auto r = run_cli("study --config " + path + " --out " + out);
    expect_one_line(r, path, path + ": " + expected);
    EXPECT_FALSE(fs::exists(out + "/scan.json")) << "the scan ran before the configuration was checked: " << path;
  }
}

}  // namespace
}  // namespace leuko

namespace leuko {
namespace {

// --amp auto resolves before the run is recorded: fp32 on a CPU without native bf16; on one with it,
// the faster of the two for this model, measured (and said in one note) or remembered.
TEST(CliOptions, AmpAutoIsResolvedOnThisCpuAndRecorded) {
  test::TempDir tmp;
  const std::string run = tmp.str() + "/run", cache = tmp.str() + "/cache";
  const std::string args = "train --data " + test::bundled("aria-mini") + " --preset tiny --max-steps 1 --amp auto --quiet ";
  auto r = run_cli(args + "--epochs 1 --cache " + cache + " --out " + run);
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  bool native = false;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0) {
      native = line.find(" avx512_bf16") != std::string::npos || line.find(" amx_bf16") != std::string::npos;
      break;
    }
  auto recorded = [](const std::string& folder) {
    return nlohmann::json::parse(std::ifstream(folder + "/config.json"))["config"]["amp"].get<std::string>();
  };
  const std::string choices = cache + "/amp-choice.json";
  if (!native) {
    EXPECT_EQ(recorded(run), "off");
    EXPECT_FALSE(fs::exists(choices));
  } else {
    EXPECT_NE(r.err.find("note: --amp auto: simple-cnn (tiny"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("measured now"), std::string::npos) << r.err;
    ASSERT_TRUE(fs::exists(choices));
    // The remembered rates decide the next run: planted so that bf16 wins, then fp32.
    for (const auto& [fp32, bf16, expected] : {std::tuple{10.0, 40.0, "bf16"}, std::tuple{40.0, 10.0, "off"}}) {
      auto j = nlohmann::json::parse(std::ifstream(choices));
      ASSERT_EQ(j.size(), 1u);
      j.begin().value() = {{"fp32_img_per_s", fp32}, {"bf16_img_per_s", bf16}};
      std::ofstream(choices) << j.dump();
      const std::string other = tmp.str() + "/run-" + expected;
      auto planted = run_cli(args + "--epochs 1 --cache " + cache + " --out " + other);
      ASSERT_EQ(planted.code, 0) << planted.err;
      EXPECT_EQ(recorded(other), expected);
      EXPECT_NE(planted.err.find("measured before"), std::string::npos) << planted.err;
    }
  }
  // Resuming with the same words is the same run, whatever the remembered rates say now.
  auto again = run_cli(args + "--epochs 2 --cache " + cache + " --resume --out " + run);
  EXPECT_EQ(again.code, 0) << again.err;
}

// A run that names no preset or recipe gets the measured defaults (bench/defaults_ablation.sh) and
// records them resolved, so that resuming it the same way is the same run.
TEST(CliOptions, UnnamedPresetAndRecipeAreTheMeasuredDefaultsAndRecorded) {
  test::TempDir tmp;
  const std::string run = tmp.str() + "/run";
  const std::string args = "train --data " + test::bundled("aria-mini") + " --image-size 48 --max-steps 1 --cache none --quiet --out " + run;
  auto r = run_cli(args + " --epochs 1");
  ASSERT_EQ(r.code, 0) << r.err;
  auto config = nlohmann::json::parse(std::ifstream(run + "/config.json"));
  EXPECT_EQ(config["config"]["model"], "simple-cnn");
  EXPECT_EQ(config["config"]["preset"], "base");
  EXPECT_EQ(config["config"]["augment"], "light");
  EXPECT_EQ(config["config"]["class_weights"], "none");
  EXPECT_DOUBLE_EQ(config["config"]["label_smoothing"].get<double>(), 0.1);
  EXPECT_EQ(config["model_spec"]["description"], "4 conv blocks 32-64-128-256, dropout 0.5 (the plain PyTorch recipe's CNN)");
  auto again = run_cli(args + " --epochs 2 --resume");
  EXPECT_EQ(again.code, 0) << again.err;
}

}  // namespace
}  // namespace leuko
