// A model's own recipe (run/model_recipe.h): the ViT Hybrid gets lr 3e-4, a 3-epoch warm-up,
// drop-path 0.1 and mixup 0.2 wherever the user set none of them — on the command line (`train`, checked in
// tests/cli/test_cli_train.cpp) or in a study's training block or model entry — and every key the
// user did set stays as written; the CNNs keep TrainConfig's defaults.
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "run/model_recipe.h"
#include "study/study_config.h"

namespace leuko {
namespace {

TEST(ModelRecipe, FillsOnlyTheHybridsKeysTheUserDidNotGive) {
  TrainConfig hybrid;
  hybrid.model = "vit-hybrid";
  auto applied = apply_model_recipe(hybrid, [](const std::string&) { return false; });
  EXPECT_DOUBLE_EQ(hybrid.lr, 3e-4);
  EXPECT_DOUBLE_EQ(hybrid.warmup_epochs, 3);  // 10 epochs by default: 30 % is 3
  EXPECT_DOUBLE_EQ(hybrid.drop_path, 0.1);
  EXPECT_DOUBLE_EQ(hybrid.mixup, 0.2);
  EXPECT_EQ(applied.size(), 4u);
  EXPECT_NO_THROW(hybrid.validate());

  TrainConfig given;
  given.model = "vit-hybrid";
  given.lr = 1e-3;
  given.drop_path = 0;
  const std::set<std::string> keys{"lr", "drop_path"};
  applied = apply_model_recipe(given, [&](const std::string& key) { return keys.count(key) > 0; });
  EXPECT_DOUBLE_EQ(given.lr, 1e-3);
  EXPECT_DOUBLE_EQ(given.drop_path, 0);
  EXPECT_DOUBLE_EQ(given.warmup_epochs, 3);
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0], "warmup_epochs 3");
  EXPECT_EQ(applied[1], "mixup 0.2");

  for (const char* cnn : {"simple-cnn", "resnet50"}) {
    TrainConfig c;
    c.model = cnn;
    EXPECT_TRUE(apply_model_recipe(c, [](const std::string&) { return false; }).empty()) << cnn;
    EXPECT_DOUBLE_EQ(c.lr, TrainConfig{}.lr) << cnn;
    EXPECT_DOUBLE_EQ(c.warmup_epochs, TrainConfig{}.warmup_epochs) << cnn;
    EXPECT_DOUBLE_EQ(c.drop_path, 0) << cnn;
    EXPECT_DOUBLE_EQ(c.mixup, 0) << cnn;
  }
}

// Mixup is the one recipe key that other choices rule out: CutMix asked for alone stays alone,
// and auto class weights (which a mixed label cannot carry) keep the run valid without it.
TEST(ModelRecipe, MixupStepsAsideForCutMixAndClassWeights) {
  TrainConfig cutmix;
  cutmix.model = "vit-hybrid";
  cutmix.cutmix = 1.0;
  apply_model_recipe(cutmix, [](const std::string& key) { return key == "cutmix"; });
  EXPECT_DOUBLE_EQ(cutmix.mixup, 0);
  EXPECT_DOUBLE_EQ(cutmix.cutmix, 1.0);
  EXPECT_DOUBLE_EQ(cutmix.lr, 3e-4);  // the rest of the recipe still applies

  // `--cutmix 0` spelled out is no CutMix: the recipe's mixup is not ruled out by it.
  TrainConfig no_cutmix;
  no_cutmix.model = "vit-hybrid";
  no_cutmix.cutmix = 0;
  apply_model_recipe(no_cutmix, [](const std::string& key) { return key == "cutmix"; });
  EXPECT_DOUBLE_EQ(no_cutmix.mixup, 0.2);

  TrainConfig weighted;
  weighted.model = "vit-hybrid";
  weighted.class_weights = ClassWeights::Auto;
  const auto applied = apply_model_recipe(weighted, [](const std::string& key) { return key == "class_weights"; });
  EXPECT_DOUBLE_EQ(weighted.mixup, 0);
  EXPECT_EQ(applied.size(), 3u);
  EXPECT_NO_THROW(weighted.validate());
}

TEST(ModelRecipe, AShortRunKeepsTheWarmUpsShareAndReachesThePeakRate) {
  TrainConfig c;
  c.model = "vit-hybrid";
  c.epochs = 2;
  apply_model_recipe(c, [](const std::string&) { return false; });
  EXPECT_NEAR(c.warmup_epochs, 0.6, 1e-12);
  c.epochs = 20;
  apply_model_recipe(c, [](const std::string&) { return false; });
  EXPECT_DOUBLE_EQ(c.warmup_epochs, 3);
}

TEST(ModelRecipe, AStudyFillsWhatNeitherItsTrainingBlockNorTheEntrySets) {
  auto config = [](const nlohmann::json& training, const nlohmann::json& hybrid_entry) {
    nlohmann::json j = {{"name", "recipe"}, {"training", training}, {"models", {"simple-cnn", hybrid_entry}}};
    return study_config_from_json(j, "recipe.json");
  };
  // Nothing set anywhere: the hybrid its recipe, the CNN the defaults.
  StudyConfig bare = config({{"epochs", 10}}, {{"model", "vit-hybrid"}});
  TrainConfig cnn = study_train_config(bare, bare.models[0]), vit = study_train_config(bare, bare.models[1]);
  EXPECT_DOUBLE_EQ(cnn.lr, TrainConfig{}.lr);
  EXPECT_DOUBLE_EQ(cnn.drop_path, 0);
  EXPECT_DOUBLE_EQ(vit.lr, 3e-4);
  EXPECT_DOUBLE_EQ(vit.warmup_epochs, 3);
  EXPECT_DOUBLE_EQ(vit.drop_path, 0.1);
  EXPECT_DOUBLE_EQ(vit.mixup, 0.2);
  EXPECT_DOUBLE_EQ(cnn.mixup, 0);
  // The training block's lr is the user's, for every model; the entry's drop-path is too.
  StudyConfig set =
      config({{"epochs", 10}, {"lr", 5e-4}, {"mixup", 0.0}}, {{"model", "vit-hybrid"}, {"drop_path", 0.0}});
  vit = study_train_config(set, set.models[1]);
  EXPECT_DOUBLE_EQ(vit.lr, 5e-4);
  EXPECT_DOUBLE_EQ(vit.drop_path, 0);
  EXPECT_DOUBLE_EQ(vit.mixup, 0);
  EXPECT_DOUBLE_EQ(vit.warmup_epochs, 3);
}

}  // namespace
}  // namespace leuko
