// The ablation's steps on a four-image, two-condition study worked out by hand: alignment puts
// every strategy on the baseline's image order and refuses strategies that scored something else;
// the estimates are the macro-F1s and mCE by hand; the summary calls the better strategy best.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/test_paths.h"
#include "run/eval_files.h"
#include "study/ablation_align.h"
#include "study/ablation_estimate.h"
#include "study/ablation_summary.h"

namespace leuko {
namespace {

const std::vector<std::string> kImages{"i0.png", "i1.png", "i2.png", "i3.png"};
const std::vector<std::string> kLabels{"A", "A", "B", "B"};
const std::vector<std::string> kPatients{"P1", "P1", "P2", "P2"};

// One strategy's evaluation: clean predictions and one per condition (noise 1 trained, blur 1 held out).
struct Scored {
  std::vector<std::string> clean, noise, blur;
};

// Writes DIR/NAME/eval.json with its two tables; returns the folder's files.
EvalFiles write_strategy(const std::string& dir, const std::string& name, const Scored& s) {
  const EvalFiles files(dir + "/" + name);
  std::filesystem::create_directories(files.dir());
  EvalReport eval;
  eval.split = "test";
  eval.classes = {"A", "B"};
  eval.metrics.per_class.resize(2);
  eval.metrics.confusion = {{0, 0}, {0, 0}};
  eval.seconds_inference = 2.0;
  eval.robustness = std::vector<RobustnessRecord>{{"noise", 1, 0, 0, false}, {"blur", 1, 0, 0, true}};
  files.write_report(eval);
  PredictionTable clean{{}, {}};
  std::vector<RobustnessRow> sweep;
  for (size_t i = 0; i < s.clean.size(); ++i) clean.rows.push_back({kImages[i], kLabels[i], s.clean[i], {}});
  for (size_t i = 0; i < s.noise.size(); ++i)
    sweep.push_back({kImages[i], kPatients[i], kLabels[i], "noise", 1, s.noise[i]});
  for (size_t i = 0; i < s.blur.size(); ++i)
    sweep.push_back({kImages[i], kPatients[i], kLabels[i], "blur", 1, s.blur[i]});
  files.write_predictions(clean);
  files.write_robustness(sweep);
  return files;
}

const Scored kBaseline{{"A", "A", "B", "B"}, {"A", "B", "B", "B"}, {"B", "A", "B", "B"}};
const Scored kBetter{{"A", "A", "B", "A"}, {"A", "A", "B", "B"}, {"A", "A", "B", "B"}};

std::string align_error(const std::vector<EvalFiles>& evals) {
  try {
    align_ablation(evals, 0);
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UserError";
  return "";
}

TEST(Ablation, AlignsEveryStrategyOnTheBaselinesImageOrder) {
  test::TempDir dir;
  const EvalFiles base = write_strategy(dir.str(), "none", kBaseline);
  const EvalFiles other = write_strategy(dir.str(), "aug", kBetter);
  // The other strategy's clean table lists the images in reverse.
  PredictionTable clean = read_prediction_table(other.predictions_path(), {});
  std::reverse(clean.rows.begin(), clean.rows.end());
  write_file_atomically(other.predictions_path(), prediction_table_csv(clean));

  AlignedAblation a = align_ablation({base, other}, 0);
  EXPECT_EQ(a.labels, (std::vector<int>{0, 0, 1, 1}));
  EXPECT_EQ(a.patients, kPatients);
  ASSERT_EQ(a.conditions.size(), 2u);
  EXPECT_EQ(a.conditions[1].family, "blur");
  EXPECT_TRUE(a.conditions[1].held_out);
  EXPECT_EQ(a.strategies[1].clean, (std::vector<int>{0, 0, 1, 0}));
  EXPECT_EQ(a.strategies[0].per_condition[0], (std::vector<int>{0, 1, 1, 1}));
}

TEST(Ablation, RejectsAStrategyThatScoredOtherImages) {
  test::TempDir dir;
  const EvalFiles base = write_strategy(dir.str(), "none", kBaseline);
  const EvalFiles other = write_strategy(dir.str(), "aug", kBetter);
  PredictionTable clean = read_prediction_table(other.predictions_path(), {});
  clean.rows[2].path = "elsewhere.png";
  write_file_atomically(other.predictions_path(), prediction_table_csv(clean));
  const std::string e = align_error({base, other});
  EXPECT_EQ(e.rfind(other.predictions_path(), 0), 0u) << e;
  EXPECT_NE(e.find("elsewhere.png"), std::string::npos) << e;
}

TEST(Ablation, RejectsAStrategyThatLeftOutAnImageOrACondition) {
  test::TempDir dir;
  const EvalFiles base = write_strategy(dir.str(), "none", kBaseline);
  const EvalFiles fewer_images = write_strategy(dir.str(), "short", {{"A", "A", "B"}, kBetter.noise, kBetter.blur});
  EXPECT_EQ(align_error({base, fewer_images}).rfind(fewer_images.predictions_path(), 0), 0u);
  const EvalFiles no_blur = write_strategy(dir.str(), "noblur", {kBetter.clean, kBetter.noise, {}});
  const std::string e = align_error({base, no_blur});
  EXPECT_EQ(e, no_blur.robustness_path() + ": does not score every image under blur severity 1");
}

TEST(Ablation, RejectsAStrategyThatLabelsAnImageOtherwiseOrPredictsAnUnknownClass) {
  test::TempDir dir;
  const EvalFiles base = write_strategy(dir.str(), "none", kBaseline);
  const EvalFiles other = write_strategy(dir.str(), "aug", kBetter);
  auto sweep = read_robustness_table(other.robustness_path());
  sweep[0].label = "B";
  write_file_atomically(other.robustness_path(), robustness_table_csv(sweep));
  EXPECT_EQ(align_error({base, other}).rfind(other.robustness_path(), 0), 0u);

  const EvalFiles unknown = write_strategy(dir.str(), "unknown", {{"A", "A", "B", "C"}, kBetter.noise, kBetter.blur});
  const std::string e = align_error({base, unknown});
  EXPECT_EQ(e, unknown.predictions_path() + ": class 'C' is not one of the baseline's");
}

TEST(Ablation, EstimatesAreTheMacroF1sAndMceByHand) {
  test::TempDir dir;
  const AlignedAblation a =
      align_ablation({write_strategy(dir.str(), "none", kBaseline), write_strategy(dir.str(), "aug", kBetter)}, 0);
  const auto e = estimate_strategies(a, 0, {0, 1, 2, 3});
  // One A taken for B (or the reverse) out of 2 + 2: F1 of the two classes 2/3 and 4/5.
  const double one_miss = (2.0 / 3 + 0.8) / 2;
  EXPECT_DOUBLE_EQ(e[0].clean_f1, 1.0);
  EXPECT_NEAR(e[0].corrupted_f1, one_miss, 1e-12);
  EXPECT_NEAR(e[0].held_out_f1, one_miss, 1e-12);
  EXPECT_DOUBLE_EQ(e[0].mce, 1.0);  // the baseline relative to itself
  EXPECT_NEAR(e[1].clean_f1, one_miss, 1e-12);
  EXPECT_DOUBLE_EQ(e[1].corrupted_f1, 1.0);
  EXPECT_DOUBLE_EQ(e[1].held_out_f1, 1.0);
  EXPECT_DOUBLE_EQ(e[1].mce, 0.0);  // no error where the baseline errs
  // On the resample {2, 3} (class B only) the clean F1 of the baseline is that of a one-class problem.
  const auto only_b = estimate_strategies(a, 0, {2, 3, 2, 3});
  EXPECT_NE(only_b[1].clean_f1, e[1].clean_f1);
}

TEST(Ablation, SummaryCallsTheBetterStrategyBestWithPairedIntervals) {
  test::TempDir dir;
  std::vector<AblationStrategyInput> in{
      {"none", "no handling", write_strategy(dir.str(), "none", kBaseline).dir(), "runs/none", 10, {}},
      {"aug", "augmentation", write_strategy(dir.str(), "aug", kBetter).dir(), "runs/aug", 12, {}}};
  const nlohmann::json s = summarise_ablation(in, "none", 200, 11);
  EXPECT_EQ(s["best"], "aug");
  EXPECT_EQ(s["resampled"], "patients");
  EXPECT_EQ(s["n"], 4);
  EXPECT_EQ(s["held_out_families"], nlohmann::json({"blur"}));
  EXPECT_EQ(s["trained_families"], nlohmann::json({"noise"}));
  EXPECT_TRUE(s["best_vs_runner_up"].is_null());  // two strategies: the runner-up is the baseline
  EXPECT_FALSE(s["strategies"][0].contains("vs_baseline"));
  const auto& v = s["strategies"][1]["vs_baseline"];
  EXPECT_NEAR(v["corrupted_f1_diff"].get<double>(), 1 - (2.0 / 3 + 0.8) / 2, 1e-12);
  const double lo = v["corrupted_f1_diff_ci"][0], hi = v["corrupted_f1_diff_ci"][1];
  EXPECT_LE(lo, hi);
  EXPECT_EQ(v["corrupted_f1_significant"].get<bool>(), lo > 0 || hi < 0);
  EXPECT_EQ(s["strategies"][1]["inference_seconds"], 2.0);
  ASSERT_EQ(s["findings"].size(), 2u);
  EXPECT_EQ(s["findings"][0].get<std::string>().rfind("Under distortion, 'aug' is best", 0), 0u) << s["findings"][0];
  EXPECT_NE(s["findings"][1].get<std::string>().find("held-out families (blur, never used in training)"),
            std::string::npos)
      << s["findings"][1];
  // The same seed draws the same resamples.
  EXPECT_EQ(summarise_ablation(in, "none", 200, 11).dump(), s.dump());
  EXPECT_THROW(summarise_ablation(in, "denoise", 10, 1), UserError);
}

}  // namespace
}  // namespace leuko
