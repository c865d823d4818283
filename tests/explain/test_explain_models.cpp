// The explainers on models, tested the way the saliency literature does: a model whose decision
// depends on one image region must highlight that region, and the maps of a trained model must
// differ from those of the same architecture re-initialised (Adebayo et al. 2018's model
// randomisation check). Plus what the hybrid exposes for them (attention, last-block tokens).
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "explain/map_checks.h"
#include "explain/torch/explainer.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/vit_hybrid.h"

namespace leuko {
namespace {

constexpr int64_t kSide = 32;

// Noise images, each with a bright 3x12 bar somewhere; class 1 images also have a bright 8x8
// square, on the other half of the image. Only the square decides the class: a faithful map of
// class 1 puts its mass on the square, not on the bar.
struct RegionBatch {
  torch::Tensor x, y;
  std::vector<cv::Rect> square;  // where the deciding square is (class 1 images)
};

RegionBatch region_batch(int64_t n, torch::Generator gen) {
  RegionBatch b{torch::randn({n, 3, kSide, kSide}, gen) * 0.3, torch::randint(0, 2, {n}, gen, torch::kInt64), {}};
  auto pos = torch::randint(0, 1 << 20, {n, 5}, gen, torch::kInt64);
  for (int64_t i = 0; i < n; ++i) {
    auto at = [&](int k, int64_t range) { return static_cast<int>(pos[i][k].item<int64_t>() % range); };
    const bool bar_left = at(4, 2) == 0;  // the bar on one half, the square on the other
    const int bar_x = (bar_left ? 0 : 16) + at(0, 16 - 12 + 1), bar_y = at(1, kSide - 3 + 1);
    b.x[i].narrow(1, bar_y, 3).narrow(2, bar_x, 12).fill_(2.0);
    cv::Rect square((bar_left ? 16 : 0) + at(2, 16 - 8 + 1), at(3, kSide - 8 + 1), 8, 8);
    if (b.y[i].item<int64_t>() == 1) b.x[i].narrow(1, square.y, 8).narrow(2, square.x, 8).fill_(2.0);
    b.square.push_back(square);
  }
  return b;
}

std::shared_ptr<ClassifierModule> train_on_regions() {
  torch::manual_seed(11);
  auto model = make_model("simple-cnn", "tiny", 2, kSide);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(3e-3));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  model->train();
  for (int step = 0; step < 250; ++step) {
    auto batch = region_batch(32, gen);
    opt.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(model->forward(batch.x), batch.y);
    loss.backward();
    opt.step();
  }
  model->eval();
  return model;
}

cv::Mat as_mat(const torch::Tensor& map) {
  auto m = map.contiguous();
  return cv::Mat(static_cast<int>(m.size(0)), static_cast<int>(m.size(1)), CV_32F, m.data_ptr<float>()).clone();
}

TEST(Explain, GradCamHighlightsTheRegionThatDecidesAndFailsWhenTheModelIsRandomised) {
  auto trained = train_on_regions();
  auto gen = at::make_generator<at::CPUGeneratorImpl>(99);
  const RegionBatch b = region_batch(64, gen);
  const auto& x = b.x;
  {
    torch::NoGradGuard no_grad;
    double accuracy = trained->forward(x).argmax(1).eq(b.y).to(torch::kFloat).mean().item<double>();
    ASSERT_GT(accuracy, 0.9) << "the model must have learnt the task for its maps to mean anything";
  }
  auto target = torch::ones({x.size(0)}, torch::kInt64);
  auto maps = explain(*trained, x, target);
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_EQ(maps[0].method, "grad-cam");
  ASSERT_EQ(maps[0].maps.sizes(), (std::vector<int64_t>{64, kSide, kSide}));

  // Adebayo et al.'s cascade, both ends: the classifier alone re-initialised (the features stay
  // trained), and every weight re-initialised.
  torch::manual_seed(12345);
  auto fresh = make_model("simple-cnn", "tiny", 2, kSide);
  fresh->eval();
  auto top_randomised = make_model("simple-cnn", "tiny", 2, kSide);
  {
    torch::NoGradGuard no_grad;
    auto mine = top_randomised->named_parameters(), theirs = trained->named_parameters(), random = fresh->named_parameters();
    for (auto& p : mine) p.value().copy_(p.key().rfind("classifier.", 0) == 0 ? random[p.key()] : theirs[p.key()]);
    auto buffers = top_randomised->named_buffers(), trained_buffers = trained->named_buffers();
    for (auto& buf : buffers) buf.value().copy_(trained_buffers[buf.key()]);
  }
  top_randomised->eval();
  auto random_top = explain(*top_randomised, x, target);
  auto random_all = explain(*fresh, x, target);

  double on_square = 0, area = 0, rho_top = 0, rho_all = 0;
  int class1 = 0;
  for (int64_t i = 0; i < x.size(0); ++i) {
    if (b.y[i].item<int64_t>() != 1) continue;
    cv::Mat a = as_mat(maps[0].maps[i]);
    cv::Mat mask = cv::Mat::zeros(kSide, kSide, CV_8U);
    cv::Rect around = (b.square[static_cast<size_t>(i)] - cv::Point(2, 2) + cv::Size(4, 4)) & cv::Rect(0, 0, kSide, kSide);
    mask(around).setTo(255);
    on_square += mass_inside(a, mask);
    area += double(around.area()) / (kSide * kSide);
    rho_top += spearman_rank_correlation(a, as_mat(random_top[0].maps[i]));
    rho_all += spearman_rank_correlation(a, as_mat(random_all[0].maps[i]));
    ++class1;
  }
  on_square /= class1;
  area /= class1;
  rho_top /= class1;
  rho_all /= class1;
  std::printf("deciding square (%.0f %% of the image): %.2f of the Grad-CAM mass; Spearman vs classifier "
              "re-initialised %.2f, vs all re-initialised %.2f\n", 100 * area, on_square, rho_top, rho_all);
  EXPECT_GT(on_square, 0.5) << "share of the class-1 Grad-CAM mass on the deciding square (2 px margin)";
  EXPECT_GT(on_square, 2 * area) << "twice what a map blind to the square would put there";
  EXPECT_LT(rho_top, 0.5) << "mean Spearman rank correlation, trained vs classifier re-initialised";
  EXPECT_LT(rho_all, 0.5) << "mean Spearman rank correlation, trained vs every weight re-initialised";
}

TEST(Explain, ResNetGradCamHasTheInputsSize) {
  torch::manual_seed(3);
  auto model = make_model("resnet50", "tiny", 3, 32);
  auto x = torch::randn({2, 3, 48, 40});
  auto maps = explain(*model, x, torch::tensor({0, 2}, torch::kInt64));
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_EQ(maps[0].maps.sizes(), (std::vector<int64_t>{2, 48, 40}));
  EXPECT_LE(maps[0].maps.max().item<float>(), 1.0f);
  EXPECT_GE(maps[0].maps.min().item<float>(), 0.0f);
  EXPECT_TRUE(model->is_training()) << "the model is left in the mode it was in";
}

TEST(Explain, HybridExposesEveryBlocksAttentionWithoutChangingItsOutput) {
  torch::manual_seed(4);
  auto model = make_model("vit-hybrid", "tiny", 2, 64);
  auto* vit = dynamic_cast<VitHybrid*>(model.get());
  ASSERT_NE(vit, nullptr);
  model->eval();
  torch::NoGradGuard no_grad;
  auto x = torch::randn({2, 3, 64, 64});
  VitHybrid::Taps taps;
  auto tapped = vit->forward_features(x, &taps);
  EXPECT_TRUE(torch::equal(tapped, vit->forward_features(x)));
  ASSERT_EQ(static_cast<int64_t>(taps.attention.size()), vit->config().depth);
  EXPECT_EQ(taps.grid, (std::pair<int64_t, int64_t>{4, 4}));
  for (const auto& a : taps.attention) {
    EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2, vit->config().heads, 17, 17}));
    EXPECT_TRUE(torch::allclose(a.sum(-1), torch::ones({2, vit->config().heads, 17}), 1e-5, 1e-5)) << "rows are distributions";
  }
  EXPECT_EQ(taps.last_block_tokens.sizes(), (std::vector<int64_t>{2, 17, vit->config().embed_dim}));
}

TEST(Explain, HybridGetsAttentionRolloutAndTokenGridGradCam) {
  torch::manual_seed(5);
  auto model = make_model("vit-hybrid", "tiny", 2, 64);
  for (auto& p : model->parameters()) p.requires_grad_(false);  // frozen weights still explain
  auto x = torch::randn({3, 3, 64, 64});
  auto maps = explain(*model, x, torch::tensor({0, 1, 1}, torch::kInt64));
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps[0].method, "attention-rollout");
  EXPECT_EQ(maps[1].method, "grad-cam");
  for (const auto& m : maps) {
    EXPECT_EQ(m.maps.sizes(), (std::vector<int64_t>{3, 64, 64})) << m.method;
    EXPECT_LE(m.maps.max().item<float>(), 1.0f) << m.method;
    EXPECT_GE(m.maps.min().item<float>(), 0.0f) << m.method;
  }
  EXPECT_FLOAT_EQ(maps[0].maps[0].max().item<float>(), 1.0f) << "rollout is never flat";
  EXPECT_EQ(explanation_methods(*model), (std::vector<std::string>{"attention-rollout", "grad-cam"}));
}

}  // namespace
}  // namespace leuko
