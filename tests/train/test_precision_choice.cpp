// `--amp auto` by a measured step: the decision rule, the remembered choices (and what happens to
// a damaged file of them), and the probe itself — real timings of a real model, which must leave
// the run's random draws untouched.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <torch/torch.h>

#include "common/test_paths.h"
#include "common/atomic_file.h"
#include "train/precision_choice.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

TEST(PrecisionChoice, Bf16OnlyWhenItIsClearlyFaster) {
  EXPECT_EQ(faster_precision({100, 240}), Amp::Bf16);  // the hybrid on the Intel Xeon
  EXPECT_EQ(faster_precision({131.8, 96.6}), Amp::Off);  // the simple CNN there
  EXPECT_EQ(faster_precision({100, 105}), Amp::Off);     // a tie goes to fp32: bf16 rounds
  EXPECT_EQ(faster_precision({100, 100 * kBf16MustBeFaster}), Amp::Bf16);
}

TEST(PrecisionChoice, KeyNamesEverythingTheRanksDependOn) {
  const PrecisionProbe a{"simple-cnn", "base", 128, 32, true, 2};
  const std::string key = precision_probe_key(a);
  for (const char* part : {"simple-cnn", "base", "128px", "batch 32", "nhwc", "2 threads", "libtorch"})
    EXPECT_NE(key.find(part), std::string::npos) << part << " not in " << key;
  PrecisionProbe b = a;
  b.channels_last = false;
  EXPECT_NE(precision_probe_key(b), key);
  b = a;
  b.batch = 16;
  EXPECT_NE(precision_probe_key(b), key);
}

TEST(PrecisionChoice, RemembersRatesAndReadsDamageAsAbsent) {
  test::TempDir tmp;
  const PrecisionChoices choices(tmp.str() + "/cache");  // not there yet: made by store
  EXPECT_FALSE(choices.find("k").has_value());
  choices.store("k", {131.8, 96.6});
  choices.store("other", {10, 30});
  auto k = choices.find("k");
  ASSERT_TRUE(k.has_value());
  EXPECT_DOUBLE_EQ(k->fp32, 131.8);
  EXPECT_DOUBLE_EQ(k->bf16, 96.6);
  EXPECT_DOUBLE_EQ(choices.find("other")->bf16, 30);

  // A torn, foreign or hand-edited file is measured again, never trusted or fatal.
  for (const char* damaged : {"{\"k\": {\"fp32_img_per_s\": 1", "[1, 2, 3]", "\xff\xfe", "{\"k\": {\"fp32_img_per_s\": -1, \"bf16_img_per_s\": 5}}",
                              "{\"k\": {\"fp32_img_per_s\": \"fast\", \"bf16_img_per_s\": 5}}", "{\"k\": 7}"}) {
    write_file_atomically(choices.path(), damaged);
    EXPECT_FALSE(choices.find("k").has_value()) << damaged;
  }
  choices.store("k", {50, 60});  // over the damaged file
  EXPECT_DOUBLE_EQ(choices.find("k")->bf16, 60);
}

TEST(PrecisionChoice, ProbeTimesBothPrecisionsAndLeavesTheRunsDrawsAlone) {
  const PrecisionProbe probe{"simple-cnn", "tiny", 32, 8, true, 1};
  torch::manual_seed(5);
  const auto expected = torch::randn({16});
  torch::manual_seed(5);
  const StepRates rates = measure_step_rates(probe);
  const auto after_probe = torch::randn({16});
  EXPECT_TRUE(torch::equal(after_probe, expected)) << "the probe moved the global generator";
  EXPECT_GT(rates.fp32, 1.0);
  EXPECT_GT(rates.bf16, 1.0);
}

TEST(PrecisionChoice, AnExplicitPrecisionOrCudaIsNotMeasured) {
  test::TempDir tmp;
  const PrecisionProbe probe{"simple-cnn", "tiny", 32, 8, false, 1};
  EXPECT_EQ(choose_training_amp(Amp::Off, false, probe, tmp.str(), false), Amp::Off);
  EXPECT_EQ(choose_training_amp(Amp::Bf16, false, probe, tmp.str(), false), Amp::Bf16);
  EXPECT_EQ(choose_training_amp(Amp::Auto, /*cuda=*/true, probe, tmp.str(), false), Amp::Bf16);
  EXPECT_FALSE(fs::exists(PrecisionChoices(tmp.str()).path()));
}

// On a CPU with native bf16 the remembered rates decide, so planting them must flip the choice.
TEST(PrecisionChoice, RememberedRatesDecideOnACpuWithNativeBf16) {
  test::TempDir tmp;
  const PrecisionProbe probe{"simple-cnn", "tiny", 32, 8, false, 1};
  const Amp first = choose_training_amp(Amp::Auto, false, probe, tmp.str(), false);
  const PrecisionChoices remembered(tmp.str());
  if (!fs::exists(remembered.path())) {
    EXPECT_EQ(first, Amp::Off);
    GTEST_SKIP() << "this CPU has no native bf16: auto is fp32 without a measurement";
  }
  const auto measured = remembered.find(precision_probe_key(probe));
  ASSERT_TRUE(measured.has_value());
  EXPECT_EQ(first, faster_precision(*measured));
  remembered.store(precision_probe_key(probe), {10, 40});
  EXPECT_EQ(choose_training_amp(Amp::Auto, false, probe, tmp.str(), false), Amp::Bf16);
  remembered.store(precision_probe_key(probe), {40, 10});
  EXPECT_EQ(choose_training_amp(Amp::Auto, false, probe, tmp.str(), false), Amp::Off);
}

// A cache folder that cannot be made (here: below a regular file) costs the next run a probe, not
// this run its training.
TEST(PrecisionChoice, AnUnwritableCacheFolderStillChoosesAndTrains) {
  test::TempDir tmp;
  std::ofstream(tmp.str() + "/file") << "not a folder";
  const std::string cache = tmp.str() + "/file/cache";
  EXPECT_THROW(PrecisionChoices(cache).store("k", {1, 2}), std::exception);
  const PrecisionProbe probe{"simple-cnn", "tiny", 32, 8, false, 1};
  Amp chosen = Amp::Auto;
  EXPECT_NO_THROW(chosen = choose_training_amp(Amp::Auto, false, probe, cache, false));
  EXPECT_TRUE(chosen == Amp::Off || chosen == Amp::Bf16);
}

}  // namespace
}  // namespace leuko
