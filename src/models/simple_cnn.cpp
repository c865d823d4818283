#include "models/simple_cnn.h"

#include <torch/torch.h>

#include "models/conv_bn_fusion.h"

namespace leuko {
namespace {

namespace nn = torch::nn;

struct ConvBlock : nn::Module {
  nn::Conv2d conv{nullptr};
  nn::BatchNorm2d bn{nullptr};
  FusedConv fused;  // scoring only (conv_bn_fusion.h)
  ConvBlock(int64_t in, int64_t out) {
    conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
    bn = register_module("bn", nn::BatchNorm2d(out));
  }
  // The paper's conv → BN → ReLU → max-pool, computed as max-pool then ReLU: the two commute (ReLU
  // is monotone, so the window's maximum and its gradient route are the same), and the ReLU then
  // passes over a quarter of the activations, in place (the pooled tensor is fresh).
  torch::Tensor forward(const torch::Tensor& x) {
    return torch::max_pool2d(conv_bn(conv, bn, fused, x), {2, 2}, {2, 2}, {0, 0}, {1, 1}, /*ceil_mode=*/true)
        .relu_();
  }
};

}  // namespace

struct SimpleCnn::Impl {
  std::vector<std::shared_ptr<ConvBlock>> blocks;
  nn::Dropout dropout{nullptr};
  nn::Linear classifier{nullptr};
};

SimpleCnn::SimpleCnn(const SimpleCnnConfig& config, int64_t num_classes)
    : impl_(std::make_shared<Impl>()), config_(config), num_classes_(num_classes) {
  auto list = nn::ModuleList();
  int64_t in = 3;
  for (int64_t c : config.channels) {
    auto block = std::make_shared<ConvBlock>(in, c);
    list->push_back(block);
    impl_->blocks.push_back(block);
    in = c;
  }
  register_module("blocks", list);
  impl_->dropout = register_module("dropout", nn::Dropout(config.dropout));
  impl_->classifier = register_module("classifier", nn::Linear(in, num_classes));
  for (auto& block : impl_->blocks)
    nn::init::kaiming_normal_(block->conv->weight, 0.0, torch::kFanOut, torch::kReLU);
}

void SimpleCnn::fuse_batch_norm() {
  for (auto& block : impl_->blocks) block->fused = fuse_conv_bn(block->conv, block->bn);
}

torch::Tensor SimpleCnn::forward_features(torch::Tensor x) {
  for (auto& block : impl_->blocks) x = block->forward(x);
  return x;
}

torch::Tensor SimpleCnn::forward_head(torch::Tensor x, bool pre_logits) {
  x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  return pre_logits ? x : impl_->classifier(impl_->dropout(x));
}

double SimpleCnn::forward_macs(int64_t h, int64_t w) const {
  double macs = 0;
  int64_t in = 3;
  for (int64_t c : config_.channels) {
    macs += double(h) * w * in * c * 9;
    h = (h + 1) / 2;
    w = (w + 1) / 2;
    in = c;
  }
  return macs + double(in) * num_classes_;
}

}  // namespace leuko
