// The explainers' arithmetic on hand-made tensors, where the right map is known: Grad-CAM's
// channel weighting and ReLU, the token-grid reshape, per-map scaling, and attention rollout's
// head fusion, identity and renormalisation.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "explain/torch/attention_rollout.h"
#include "explain/torch/grad_cam.h"

namespace leuko {
namespace {

TEST(GradCam, WeighsChannelsByTheirMeanGradientAndKeepsThePositivePart) {
  // Channel 0 lights the left column, channel 1 the right one. The class gradient favours
  // channel 0 (mean +1) and opposes channel 1 (mean -0.5).
  auto a = torch::zeros({1, 2, 2, 2});
  a[0][0].select(1, 0).fill_(2.0);
  a[0][1].select(1, 1).fill_(4.0);
  auto g = torch::stack({torch::ones({2, 2}), torch::full({2, 2}, -0.5)}).unsqueeze(0);
  auto cam = grad_cam(a, g);
  ASSERT_EQ(cam.sizes(), (std::vector<int64_t>{1, 2, 2}));
  EXPECT_FLOAT_EQ(cam[0][0][0].item<float>(), 2.0f);  // 1 * 2
  EXPECT_FLOAT_EQ(cam[0][1][0].item<float>(), 2.0f);
  EXPECT_FLOAT_EQ(cam[0][0][1].item<float>(), 0.0f);  // -0.5 * 4 < 0: cut by the ReLU
  EXPECT_FLOAT_EQ(cam[0][1][1].item<float>(), 0.0f);
}

TEST(GradCam, TokensBecomeTheGridWithoutTheClassToken) {
  // Token t (after the class token) carries the value t in every dimension.
  auto tokens = torch::arange(0, 7, torch::kFloat).view({1, 7, 1}).expand({1, 7, 3}).contiguous();
  auto grid = tokens_to_grid(tokens, 2, 3);
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{1, 3, 2, 3}));
  EXPECT_FLOAT_EQ(grid[0][2][0][0].item<float>(), 1.0f);  // the first patch, not the class token
  EXPECT_FLOAT_EQ(grid[0][0][1][2].item<float>(), 6.0f);  // row-major: row 1, column 2 is the 6th patch
}

TEST(GradCam, MapsAreUpsampledAndEachScaledToZeroOne) {
  auto maps = torch::stack({torch::tensor({{1.0f, 3.0f}, {5.0f, 9.0f}}), torch::full({2, 2}, 7.0f)});
  auto up = upsample_and_scale(maps, 8, 8);
  ASSERT_EQ(up.sizes(), (std::vector<int64_t>{2, 8, 8}));
  EXPECT_FLOAT_EQ(up[0].max().item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(up[0].min().item<float>(), 0.0f);
  EXPECT_GT(up[0][7][7].item<float>(), up[0][0][0].item<float>()) << "the strong corner stays strong";
  EXPECT_FLOAT_EQ(up[1].abs().max().item<float>(), 0.0f) << "a flat map says nothing: all zeros";
}

TEST(AttentionRollout, FollowsWhereTheClassTokenLooks) {
  // 2x2 grid (T = 5). Every block: patches attend to themselves, the class token attends to patch 3
  // (grid cell (1, 0)) in one head and to itself in the other.
  const int64_t t = 5;
  auto block = torch::eye(t).unsqueeze(0).repeat({2, 1, 1});
  block[0][0].zero_();
  block[0][0][3] = 1.0;
  std::vector<torch::Tensor> attentions(3, block.unsqueeze(0));
  auto map = attention_rollout(attentions, 2, 2);
  ASSERT_EQ(map.sizes(), (std::vector<int64_t>{1, 2, 2}));
  EXPECT_GT(map[0][1][0].item<float>(), 0.1f);
  EXPECT_FLOAT_EQ(map[0][0][0].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(map[0][1][1].item<float>(), 0.0f);
  // One block by hand: heads fused to row 0 = (0.5, 0, 0, 0.5, 0); + identity, renormalised
  // -> (0.75, 0, 0, 0.25, 0). Patch 3 keeps its own row (identity), so after one block 0.25.
  auto one = attention_rollout({block.unsqueeze(0)}, 2, 2);
  EXPECT_NEAR(one[0][1][0].item<float>(), 0.25f, 1e-6);
  // Three blocks: 0.25 + 0.75 * 0.25 + 0.75^2 * 0.25 = 1 - 0.75^3.
  EXPECT_NEAR(map[0][1][0].item<float>(), 1.0f - 0.421875f, 1e-5);
}

TEST(AttentionRollout, RefusesATokenCountThatIsNotTheGrid) {
  std::vector<torch::Tensor> attentions{torch::ones({1, 1, 5, 5}) / 5};
  EXPECT_THROW(attention_rollout(attentions, 3, 3), std::invalid_argument);
}

}  // namespace
}  // namespace leuko
