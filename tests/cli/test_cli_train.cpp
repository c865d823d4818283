// `leukoscope train` end to end on the bundled real images: the run directory contract, all three
// models' tiny presets, resume after a kill, reproducibility, and the NaN guard.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/remove_tree.h"
#include "common/run_log.h"
#include "common/run_cli.h"
#include "common/sha256.h"

namespace leuko {
namespace {
using test::read_log;
namespace fs = std::filesystem;
using test::run_cli;

std::string common_args(const std::string& out) {
  return "train --data " + test::bundled("aria-mini") + " --out " + out + " --cache none --quiet --workers 2";
}

TEST(CliTrain, TinyPresetsOfAllThreeModelsWriteTheRunDirectory) {
  for (const char* model : {"simple-cnn", "resnet50", "vit-hybrid"}) {
    test::TempDir tmp;
    std::string run = tmp.str() + "/run";
    auto r = run_cli(common_args(run) + " --model " + model + " --preset tiny --epochs 2 --max-steps 3 --batch 8");
    ASSERT_EQ(r.code, 0) << model << ": " << r.err;
    for (const char* f : {"config.json", "log.jsonl", "best.safetensors", "last.ckpt", "split.csv"})
      EXPECT_TRUE(fs::exists(run + "/" + f)) << model << " " << f;
    auto log = read_log(run);
    ASSERT_EQ(log.size(), 2u) << model;
    for (const char* key : {"epoch", "lr", "train_loss", "val_loss", "val_acc", "val_f1_macro", "seconds", "img_per_s",
                            "loader_wait_s"})
      EXPECT_TRUE(log[0].contains(key)) << model << " " << key;
    for (const auto& epoch : log) {  // the loader's wait is part of the epoch's steps
      EXPECT_GE(epoch["loader_wait_s"].get<double>(), 0.0) << model;
      EXPECT_LE(epoch["loader_wait_s"].get<double>(), epoch["seconds"].get<double>()) << model;
    }
    auto config = nlohmann::json::parse(std::ifstream(run + "/config.json"));
    EXPECT_EQ(config["config"]["model"], model);
    EXPECT_EQ(config["classes"].size(), 4u);
    EXPECT_EQ(config["data"]["split_by"], "cluster");  // the Aria subset has no patient ids
    EXPECT_EQ(config["data"]["leakage_audit"]["near_duplicate_pairs_across"], 0);
    EXPECT_EQ(config["data"]["fingerprint"].get<std::string>().size(), 64u);
    EXPECT_TRUE(config["versions"].contains("torch"));
    EXPECT_TRUE(config.contains("training"));
    // no temporary files left behind
    for (const auto& e : fs::directory_iterator(run))
      EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  }
}

// log.jsonl's loader_wait_s measures what it says: with non-local-means denoising on every image
// (no cache, one loader thread) and a tiny model, the steps wait for the loader most of the epoch;
// with only decoding and resizing to do (and two threads), the same model waits far less.
TEST(CliTrain, LoaderWaitIsMostOfTheEpochWhenDecodingIsTheBottleneck) {
  test::TempDir tmp;
  const std::string args = " --model simple-cnn --preset tiny --epochs 1 --max-steps 4 --batch 8 --seed 2";
  auto slow = run_cli("train --data " + test::bundled("aria-mini") + " --out " + tmp.str() +
                      "/slow --cache none --quiet --workers 1 --denoise nlm" + args);
  ASSERT_EQ(slow.code, 0) << slow.err;
  auto fast = run_cli(common_args(tmp.str() + "/fast") + args);  // two loader threads, no denoising
  ASSERT_EQ(fast.code, 0) << fast.err;
  const auto slow_log = read_log(tmp.str() + "/slow"), fast_log = read_log(tmp.str() + "/fast");
  ASSERT_EQ(slow_log.size(), 1u);
  ASSERT_EQ(fast_log.size(), 1u);
  // The training steps' time: 4 batches of 8 at img_per_s (the log's `seconds` adds validation).
  const double slow_wait = slow_log[0]["loader_wait_s"].get<double>();
  const double slow_steps_s = 32.0 / slow_log[0]["img_per_s"].get<double>();
  const double fast_wait = fast_log[0]["loader_wait_s"].get<double>();
  EXPECT_GT(slow_wait, 0.5 * slow_steps_s) << "waited " << slow_wait << " s of " << slow_steps_s << " s";
  EXPECT_LE(slow_wait, slow_steps_s * 1.01);
  EXPECT_LT(fast_wait, slow_wait / 3) << "fast " << fast_wait << " s, slow " << slow_wait << " s";
}

TEST(CliTrain, SameSeedDeterministicRunsGiveIdenticalWeights) {
  test::TempDir tmp;
  std::string args = " --model simple-cnn --preset tiny --epochs 2 --deterministic --seed 3";
  ASSERT_EQ(run_cli(common_args(tmp.str() + "/a") + args).code, 0);
  ASSERT_EQ(run_cli(common_args(tmp.str() + "/b") + args).code, 0);
  EXPECT_EQ(sha256_file(tmp.str() + "/a/best.safetensors"), sha256_file(tmp.str() + "/b/best.safetensors"));
  EXPECT_EQ(read_log(tmp.str() + "/a")[1]["val_loss"], read_log(tmp.str() + "/b")[1]["val_loss"]);
}

TEST(CliTrain, KilledMidRunAndResumedEndsWithTheSameWeights) {
  test::TempDir tmp;
  std::string args = " --model simple-cnn --preset tiny --image-size 64 --epochs 6 --deterministic --seed 5";
  ASSERT_EQ(run_cli(common_args(tmp.str() + "/whole") + args).code, 0);

  std::string killed = tmp.str() + "/killed";
  std::string command = std::string(LEUKO_BINARY) + " " + common_args(killed) + args + " >/dev/null 2>&1";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill as soon as two epochs are logged: the third is under way (or about to be).
  for (int i = 0; i < 2000 && read_log(killed).size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  size_t logged = read_log(killed).size();
  ASSERT_GE(logged, 2u);
  ASSERT_LT(logged, 6u) << "the run finished before it could be killed";
  // What the kill left must be complete files: the checkpoint loads, the log parses.
  auto r = run_cli(common_args(killed) + args + " --resume");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(sha256_file(tmp.str() + "/whole/best.safetensors"), sha256_file(killed + "/best.safetensors"));
  auto a = read_log(tmp.str() + "/whole"), b = read_log(killed);
  ASSERT_EQ(b.size(), 6u);
  for (size_t e = 0; e < 6; ++e) EXPECT_EQ(a[e]["val_loss"], b[e]["val_loss"]) << "epoch " << e;
}

// timm's extras, each with an effect and each leaving what it should alone. The weight average
// changes what is validated and kept, never the training itself; a resumed run ends with the
// same average as an uninterrupted one.
TEST(CliTrain, WeightAverageKeepsTrainingAndChangesTheKeptWeightsAndResumes) {
  test::TempDir tmp;
  const std::string args = " --model simple-cnn --preset tiny --image-size 64 --epochs 2 --deterministic --seed 4";
  ASSERT_EQ(run_cli(common_args(tmp.str() + "/live") + args).code, 0);
  auto r = run_cli(common_args(tmp.str() + "/ema") + args + " --ema-decay 0.9");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto live = read_log(tmp.str() + "/live"), ema = read_log(tmp.str() + "/ema");
  ASSERT_EQ(live.size(), 2u);
  ASSERT_EQ(ema.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(live[e]["train_loss"], ema[e]["train_loss"]) << "epoch " << e;  // the same training
    EXPECT_NE(live[e]["val_loss"], ema[e]["val_loss"]) << "epoch " << e;      // another model validated
  }
  EXPECT_NE(sha256_file(tmp.str() + "/live/best.safetensors"), sha256_file(tmp.str() + "/ema/best.safetensors"));
  auto config = nlohmann::json::parse(std::ifstream(tmp.str() + "/ema/config.json"));
  EXPECT_DOUBLE_EQ(config["config"]["ema_decay"].get<double>(), 0.9);

  const std::string split = tmp.str() + "/split";
  const std::string one = args.substr(0, args.find(" --epochs")) + " --epochs 1" + args.substr(args.find(" --deterministic"));
  ASSERT_EQ(run_cli(common_args(split) + one + " --ema-decay 0.9").code, 0);
  r = run_cli(common_args(split) + args + " --ema-decay 0.9 --resume");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_log(split)[1]["val_loss"], ema[1]["val_loss"]);
  EXPECT_EQ(sha256_file(split + "/best.safetensors"), sha256_file(tmp.str() + "/ema/best.safetensors"));
}

TEST(CliTrain, MixupCutmixClipGradAndMinLrTakeEffectAndAreRecorded) {
  test::TempDir tmp;
  const std::string args = " --model simple-cnn --preset tiny --image-size 64 --epochs 2 --deterministic --seed 4";
  ASSERT_EQ(run_cli(common_args(tmp.str() + "/plain") + args).code, 0);
  const auto plain = read_log(tmp.str() + "/plain");
  for (const std::string extra : {" --mixup 0.4", " --cutmix 1.0", " --mixup 0.4 --cutmix 1.0", " --clip-grad 0.01"}) {
    const std::string run = tmp.str() + "/x";
    auto r = run_cli(common_args(run) + args + extra);
    ASSERT_EQ(r.code, 0) << extra << ": " << r.err;
    const auto log = read_log(run);
    ASSERT_EQ(log.size(), 2u) << extra;
    EXPECT_NE(log[0]["train_loss"], plain[0]["train_loss"]) << extra;
    EXPECT_TRUE(std::isfinite(log[1]["train_loss"].get<double>())) << extra;
    auto config = nlohmann::json::parse(std::ifstream(run + "/config.json"));
    const std::string key = extra.substr(3, extra.find(' ', 3) - 3);  // " --mixup 0.4" -> "mixup"
    const std::string field = key == "clip-grad" ? "clip_grad" : key;
    EXPECT_GT(config["config"][field].get<double>(), 0) << extra;
    leuko::remove_tree(run);
  }
  // Stochastic depth: only the hybrid has it; a short run trains with it and records it.
  auto vit = run_cli(common_args(tmp.str() + "/vit") + " --model vit-hybrid --preset tiny --image-size 64 --epochs 1 "
                     "--max-steps 2 --batch 8 --drop-path 0.2");
  ASSERT_EQ(vit.code, 0) << vit.err;
  auto vit_config = nlohmann::json::parse(std::ifstream(tmp.str() + "/vit/config.json"));
  EXPECT_DOUBLE_EQ(vit_config["config"]["drop_path"].get<double>(), 0.2);
  // The cosine ends at --min-lr instead of zero: the last step's rate is logged per epoch.
  ASSERT_EQ(run_cli(common_args(tmp.str() + "/floor") + args + " --min-lr 1e-4").code, 0);
  // Plain: lr = 1e-3 * c at that step; with the floor: 1e-4 + (1e-3 - 1e-4) * c, the same c.
  const double last = read_log(tmp.str() + "/floor")[1]["lr"].get<double>();
  const double c = plain[1]["lr"].get<double>() / 1e-3;
  EXPECT_LT(c, 0.9);
  EXPECT_NEAR(last, 1e-4 + 9e-4 * c, 1e-9);
}

// The ViT Hybrid trains with its own recipe where the command line sets none of it (lr 3e-4,
// warm-up 3 epochs or 30 % of a shorter run, drop-path 0.1, mixup 0.2: run/model_recipe.h), says so, and
// records it; what the user gives stays.
TEST(CliTrain, TheHybridGetsItsOwnRecipeWhereTheUserSetsNone) {
  test::TempDir tmp;
  const std::string args = " --model vit-hybrid --preset tiny --image-size 64 --epochs 2 --max-steps 2 --batch 8";
  auto r = run_cli(common_args(tmp.str() + "/recipe") + args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("vit-hybrid: its own recipe where not set: lr 0.0003, warmup_epochs 0.6, drop_path 0.1, mixup 0.2"),
            std::string::npos) << r.out;
  auto config = nlohmann::json::parse(std::ifstream(tmp.str() + "/recipe/config.json"))["config"];
  EXPECT_DOUBLE_EQ(config["lr"].get<double>(), 3e-4);
  EXPECT_DOUBLE_EQ(config["warmup_epochs"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(config["drop_path"].get<double>(), 0.1);
  EXPECT_DOUBLE_EQ(config["mixup"].get<double>(), 0.2);
  // The schedule follows it: 4 steps, the first 1.2 of them warming up to 3e-4, then cosine.
  const auto log = read_log(tmp.str() + "/recipe");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_LE(log[0]["lr"].get<double>(), 3e-4 + 1e-12);
  EXPECT_GT(log[0]["lr"].get<double>(), 1e-4);

  r = run_cli(common_args(tmp.str() + "/given") + args + " --lr 1e-3 --drop-path 0");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("its own recipe where not set: warmup_epochs 0.6, mixup 0.2\n"), std::string::npos) << r.out;
  config = nlohmann::json::parse(std::ifstream(tmp.str() + "/given/config.json"))["config"];
  EXPECT_DOUBLE_EQ(config["lr"].get<double>(), 1e-3);
  EXPECT_DOUBLE_EQ(config["drop_path"].get<double>(), 0);

  r = run_cli(common_args(tmp.str() + "/cnn") + " --model simple-cnn --preset tiny --epochs 1 --max-steps 1 --batch 8");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("recipe"), std::string::npos) << r.out;
  config = nlohmann::json::parse(std::ifstream(tmp.str() + "/cnn/config.json"))["config"];
  EXPECT_DOUBLE_EQ(config["lr"].get<double>(), 1e-3);
  EXPECT_DOUBLE_EQ(config["warmup_epochs"].get<double>(), 1);
  EXPECT_DOUBLE_EQ(config["mixup"].get<double>(), 0);
}

TEST(CliTrain, ResumeWithOtherSettingsIsRefused) {
  test::TempDir tmp;
  std::string run = tmp.str() + "/run";
  ASSERT_EQ(run_cli(common_args(run) + " --preset tiny --epochs 1").code, 0);
  auto again = run_cli(common_args(run) + " --preset tiny --epochs 1");
  EXPECT_NE(again.code, 0);
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  auto other = run_cli(common_args(run) + " --preset tiny --epochs 2 --lr 0.5 --resume");
  EXPECT_NE(other.code, 0);
  EXPECT_NE(other.err.find("lr"), std::string::npos) << other.err;
}

// The data a run was trained on is part of the run: --resume needs no --data, also when the run
// took the bundled set by default (it records the folder that meant, which "" used to differ from);
// another --data is refused.
TEST(CliTrain, ResumeNeedsNoDataAndRefusesOtherData) {
  test::TempDir tmp;
  std::string run = tmp.str() + "/run";
  const std::string base = "train --preset tiny --max-steps 2 --cache none --quiet --out " + run;
  ASSERT_EQ(run_cli(base + " --epochs 1").code, 0);
  auto resumed = run_cli(base + " --epochs 2 --resume");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(read_log(run).size(), 2u);
  auto other = run_cli(base + " --epochs 3 --resume --data " + test::bundled("cnmc-mini"));
  EXPECT_EQ(other.code, 1);
  EXPECT_NE(other.err.find("--resume with other settings (data was"), std::string::npos) << other.err;
  EXPECT_EQ(read_log(run).size(), 2u);
}

// A split file names its images, so a --data beside it would be recorded as the run's data without
// being read (a report then named the wrong dataset): refused before anything is written.
TEST(CliTrain, DataBesideASplitFileIsRefused) {
  test::TempDir tmp;
  const std::string first = tmp.str() + "/first", second = tmp.str() + "/second";
  ASSERT_EQ(run_cli("train --preset tiny --epochs 1 --max-steps 1 --cache none --quiet --out " + first).code, 0);
  auto r = run_cli("train --preset tiny --epochs 1 --max-steps 1 --cache none --quiet --split-file " + first +
                   "/split.csv --data " + test::bundled("cnmc-mini") + " --out " + second);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: --data: not read with --split-file, whose rows name the images; give one of the two\n");
  EXPECT_FALSE(fs::exists(second));
}

// A split with no validation images is refused naming its source — the split file, or the data
// and the fractions that left the split empty — and the refused start leaves no run folder.
TEST(CliTrain, AnEmptyValidationSplitNamesItsSourceAndLeavesNoRun) {
  test::TempDir tmp;
  const std::string first = tmp.str() + "/first", second = tmp.str() + "/second", third = tmp.str() + "/third";
  ASSERT_EQ(run_cli("train --preset tiny --epochs 1 --max-steps 1 --cache none --quiet --out " + first).code, 0);
  const std::string no_val = tmp.str() + "/no-val.csv";
  {
    std::ifstream in(first + "/split.csv");
    std::ofstream out(no_val);
    for (std::string line; std::getline(in, line);)
      if (line.size() < 4 || line.compare(line.size() - 4, 4, ",val") != 0) out << line << "\n";
  }
  auto r = run_cli("train --preset tiny --epochs 1 --cache none --quiet --split-file " + no_val + " --out " + second);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: " + no_val + ": no val rows with a readable image (a run needs train and val)\n");
  EXPECT_FALSE(fs::exists(second));
  auto fractions = run_cli("train --preset tiny --epochs 1 --cache none --quiet --val 0 --out " + third);
  EXPECT_EQ(fractions.code, 1);
  EXPECT_NE(fractions.err.find(": the val split is empty: too few images or groups for --val 0 --test 0.15\n"),
            std::string::npos) << fractions.err;
  EXPECT_FALSE(fs::exists(third));
}

// --out naming a folder of other files is refused and the files are left as they were: the run's
// lock clears `*.tmp.*` files as an interrupted run's leftovers, which a user's file may be named
// like. An existing empty folder takes the run.
TEST(CliTrain, AFolderOfOtherFilesIsNotARunFolder) {
  test::TempDir tmp;
  const std::string folder = tmp.str() + "/documents", empty = tmp.str() + "/empty";
  fs::create_directories(folder);
  fs::create_directories(empty);
  std::ofstream(folder + "/notes.txt") << "mine";
  std::ofstream(folder + "/draft.tmp.1") << "also mine";
  auto r = run_cli("train --preset tiny --epochs 1 --max-steps 1 --cache none --quiet --out " + folder);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("error: --out: " + folder + " already holds files that are not a run's (e.g. ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(folder)) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"draft.tmp.1", "notes.txt"}));
  EXPECT_EQ(run_cli("train --preset tiny --epochs 1 --max-steps 1 --cache none --quiet --out " + empty).code, 0);
  EXPECT_TRUE(fs::exists(empty + "/best.safetensors"));
}

TEST(CliTrain, DivergingLossStopsWithEpochAndStepAndKeepsTheCheckpoint) {
  test::TempDir tmp;
  std::string run = tmp.str() + "/run";
  // One sane epoch, then resume with an absurd rate is refused (settings differ), so diverge from
  // the start instead: SGD at 1e12 overflows within a few steps.
  auto r = run_cli(common_args(run) + " --preset tiny --epochs 2 --optimizer sgd --lr 1e12 --warmup-epochs 0 --class-weights none");
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.err.rfind("error: epoch ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("step"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(fs::exists(run + "/config.json"));
}

// A step at an absurd rate leaves the weights non-finite with a finite loss: validation used to
// spin forever on the NaN scores; now the run stops with one line, and no NaN epoch is kept.
TEST(CliTrain, WeightsThatBecomeNonFiniteOnTheLastStepStopTheRun) {
  test::TempDir tmp;
  const std::string run = tmp.str() + "/run";
  auto r = run_cli("timeout 120 " + std::string(LEUKO_BINARY) + " train --data " + test::bundled("aria-mini") +
                   " --preset tiny --epochs 2 --max-steps 1 --optimizer sgd --lr 1e6 --warmup-epochs 0 --cache none --quiet --out " + run,
                   /*raw=*/true);
  EXPECT_EQ(r.code, 1) << r.err;  // 124 would be the timeout: the old hang
  EXPECT_EQ(r.err.rfind("error: epoch ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("the weights are no longer finite"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  // The epoch that diverged is neither logged nor kept.
  for (const auto& line : read_log(run)) EXPECT_TRUE(std::isfinite(line["val_loss"].get<double>())) << line.dump();
}

}  // namespace
}  // namespace leuko

namespace leuko {
namespace {

// Another model's weights match no parameter: refused in one line instead of training from
// scratch under a fine-tuning name, and the refused start leaves no run folder behind.
TEST(CliTrain, AnotherModelsPretrainedWeightsAreRefusedAndLeaveNoFolder) {
  test::TempDir tmp;
  const std::string donor = tmp.str() + "/cnn", out = tmp.str() + "/resnet";
  auto made = run_cli(common_args(donor) + " --preset tiny --epochs 1 --max-steps 1");
  ASSERT_EQ(made.code, 0) << made.err;
  auto r = run_cli(common_args(out) + " --model resnet50 --preset tiny --epochs 1 --pretrained " + donor + "/best.safetensors");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("error: --pretrained " + donor + "/best.safetensors: none of its"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(out)) << "a refused start leaves no empty run folder";
}

}  // namespace
}  // namespace leuko
