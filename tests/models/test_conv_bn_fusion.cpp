// Folding batch norms into convolutions for scoring (models/conv_bn_fusion.h) changes the
// arithmetic, not the answer: same logits in eval mode, untouched parameters, and training mode
// never uses the fold.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "models/placement.h"
#include "models/registry.h"
#include "models/resnet.h"
#include "models/simple_cnn.h"

namespace leuko {
namespace {

// Batch norms with statistics far from their (0, 1) initialisation, as after training.
void give_batch_norms_statistics(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& m : model.modules(false))
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) {
      bn->running_mean.uniform_(-0.5, 0.5);
      bn->running_var.uniform_(0.5, 2.0);
      bn->weight.uniform_(0.5, 1.5);
      bn->bias.uniform_(-0.2, 0.2);
    }
}

template <typename Model>
void expect_same_logits(const std::string& name, bool channels_last) {
  torch::manual_seed(7);
  auto model = make_model(name, "tiny", 3, 32);
  give_batch_norms_statistics(*model);
  model->eval();
  auto x = torch::randn({4, 3, 32, 32});
  if (channels_last) {
    use_channels_last(*model);
    x = x.contiguous(torch::MemoryFormat::ChannelsLast);
  }
  torch::NoGradGuard no_grad;
  auto before = model->forward(x);
  dynamic_cast<Model&>(*model).fuse_batch_norm();
  auto after = model->forward(x);
  EXPECT_TRUE(torch::allclose(before, after, 1e-4, 1e-4)) << name << ": max difference "
                                                          << (before - after).abs().max().item<float>();
  EXPECT_FALSE(torch::equal(before, after)) << name << ": the fused path must actually run";
  model->train();
  auto training = model->forward(x);  // batch statistics: differs from eval, not an error
  EXPECT_FALSE(torch::allclose(training, after, 1e-3, 1e-3)) << name << ": training mode ignores the fold";
}

TEST(ConvBnFusion, SimpleCnnGivesTheSameLogits) { expect_same_logits<SimpleCnn>("simple-cnn", false); }
TEST(ConvBnFusion, SimpleCnnChannelsLastGivesTheSameLogits) { expect_same_logits<SimpleCnn>("simple-cnn", true); }

TEST(ConvBnFusion, ResNetGivesTheSameLogitsAndLeavesTheStateDictAlone) {
  torch::manual_seed(8);
  auto model = make_model("resnet50", "tiny", 2, 32);
  give_batch_norms_statistics(*model);
  model->eval();
  std::vector<torch::Tensor> state;
  for (auto& p : model->named_parameters()) state.push_back(p.value().clone());
  auto x = torch::randn({3, 3, 40, 40});
  torch::NoGradGuard no_grad;
  auto before = model->forward(x);
  dynamic_cast<ResNet&>(*model).fuse_batch_norm();
  auto after = model->forward(x);
  EXPECT_TRUE(torch::allclose(before, after, 1e-4, 1e-4)) << (before - after).abs().max().item<float>();
  size_t i = 0;
  for (auto& p : model->named_parameters()) EXPECT_TRUE(torch::equal(p.value(), state[i++])) << p.key();
}

}  // namespace
}  // namespace leuko
