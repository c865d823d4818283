// Mixup and CutMix: the images and targets they make, checked pixel by pixel against what the
// papers (and timm's Mixup) define, and the soft-target loss against PyTorch's label smoothing.
#include <gtest/gtest.h>

#include <random>

#include <torch/torch.h>

#include "train/batch_mixing.h"

namespace leuko {
namespace {

// Four 3x8x8 images, image i filled with the value i + 1, labels 0, 1, 2, 0 of 3 classes.
torch::Tensor four_images() {
  return torch::arange(1, 5, torch::kFloat).view({4, 1, 1, 1}).expand({4, 3, 8, 8}).contiguous();
}
const torch::Tensor& four_labels() {
  static const torch::Tensor labels = torch::tensor({0, 1, 2, 0}, torch::kLong);
  return labels;
}

TEST(BatchMixing, SmoothedOneHotIsPyTorchsLabelSmoothing) {
  const auto t = smoothed_one_hot(four_labels(), 3, 0.3);
  EXPECT_TRUE(torch::allclose(t.sum(1), torch::ones({4})));
  EXPECT_FLOAT_EQ(t[1][1].item<float>(), 0.8f);  // 1 - 0.3 + 0.1
  EXPECT_FLOAT_EQ(t[1][0].item<float>(), 0.1f);
  // The soft-target loss on unmixed smoothed targets is cross_entropy with label_smoothing.
  torch::manual_seed(1);
  const auto logits = torch::randn({4, 3});
  const auto expected = torch::nn::functional::cross_entropy(
      logits, four_labels(), torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(0.3));
  EXPECT_NEAR(soft_target_cross_entropy(logits, t).item<double>(), expected.item<double>(), 1e-6);
}

TEST(BatchMixing, MixupBlendsEachImageWithItsPartnerFromTheBatchEnd) {
  std::mt19937_64 rng(7);
  const auto x = four_images();
  const MixedBatch m = mix_batch(x, four_labels(), 3, {0.4, 0, 0.0}, rng);
  ASSERT_FALSE(m.cut);
  ASSERT_GT(m.lambda, 0.0);
  ASSERT_LT(m.lambda, 1.0);
  for (int i = 0; i < 4; ++i) {
    const double own = i + 1, partner = 4 - i;  // image 0 pairs with image 3, 1 with 2
    EXPECT_NEAR(m.images[i][0][0][0].item<double>(), m.lambda * own + (1 - m.lambda) * partner, 1e-5) << i;
  }
  // Image 0 (label 0) mixed with image 3 (label 0): all on class 0. Image 1 (1) with image 2 (2).
  EXPECT_NEAR(m.targets[0][0].item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(m.targets[1][1].item<double>(), m.lambda, 1e-6);
  EXPECT_NEAR(m.targets[1][2].item<double>(), 1 - m.lambda, 1e-6);
  EXPECT_TRUE(torch::allclose(m.targets.sum(1), torch::ones({4})));
}

TEST(BatchMixing, CutMixPastesABoxWhoseAreaIsOneMinusLambda) {
  const auto x = four_images();
  int boxes_seen = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    std::mt19937_64 rng(seed);
    const MixedBatch m = mix_batch(x, four_labels(), 3, {0, 1.0, 0.0}, rng);
    ASSERT_TRUE(m.cut);
    // Pixels of image 1 that now hold image 2's value (3): the pasted box.
    const auto from_partner = (m.images[1][0] == 3.0f);
    const double share = from_partner.to(torch::kDouble).mean().item<double>();
    EXPECT_NEAR(share, 1 - m.lambda, 1e-9) << "seed " << seed;
    const auto own = (m.images[1][0] == 2.0f);
    EXPECT_EQ((from_partner | own).all().item<bool>(), true);  // nothing blended
    EXPECT_NEAR(m.targets[1][2].item<double>(), 1 - m.lambda, 1e-6);
    boxes_seen += share > 0;
  }
  EXPECT_GT(boxes_seen, 10);
}

TEST(BatchMixing, BothOnPicksEitherPerBatchAndKeepsTheMemoryFormat) {
  const auto x = four_images().contiguous(torch::MemoryFormat::ChannelsLast);
  int cuts = 0;
  std::vector<double> lambdas;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::mt19937_64 rng(seed);
    const MixedBatch m = mix_batch(x, four_labels(), 3, {0.2, 1.0, 0.1}, rng);
    cuts += m.cut;
    lambdas.push_back(m.lambda);
    ASSERT_TRUE(m.images.is_contiguous(torch::MemoryFormat::ChannelsLast)) << "seed " << seed;
  }
  EXPECT_GT(cuts, 60);
  EXPECT_LT(cuts, 140);
  EXPECT_NE(lambdas[0], lambdas[1]);
  // Off: the batch untouched, targets smoothed one-hot.
  std::mt19937_64 rng(1);
  const MixedBatch plain = mix_batch(x, four_labels(), 3, {0, 0, 0.1}, rng);
  EXPECT_TRUE(torch::equal(plain.images, x));
  EXPECT_TRUE(torch::allclose(plain.targets, smoothed_one_hot(four_labels(), 3, 0.1)));
}

}  // namespace
}  // namespace leuko
