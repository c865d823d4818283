#include "models/resnet.h"

#include <torch/torch.h>

#include "models/conv_bn_fusion.h"

namespace leuko {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2).bias(false));
}

int64_t conv_out(int64_t size, int64_t k, int64_t stride, int64_t pad) {
  return (size + 2 * pad - k) / stride + 1;
}

// torchvision's Bottleneck (expansion 4), v1.5: the stride is carried by conv2.
struct Bottleneck : nn::Module {
  nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  nn::Sequential downsample{nullptr};
  int64_t in, planes, stride;
  FusedConv fused1, fused2, fused3, fused_downsample;  // scoring only (conv_bn_fusion.h)

  Bottleneck(int64_t in_, int64_t planes_, int64_t stride_) : in(in_), planes(planes_), stride(stride_) {
    conv1 = register_module("conv1", conv(in, planes, 1, 1));
    bn1 = register_module("bn1", nn::BatchNorm2d(planes));
    conv2 = register_module("conv2", conv(planes, planes, 3, stride));
    bn2 = register_module("bn2", nn::BatchNorm2d(planes));
    conv3 = register_module("conv3", conv(planes, planes * 4, 1, 1));
    bn3 = register_module("bn3", nn::BatchNorm2d(planes * 4));
    if (stride != 1 || in != planes * 4)
      downsample = register_module("downsample", nn::Sequential(conv(in, planes * 4, 1, stride), nn::BatchNorm2d(planes * 4)));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    // ReLU in place, as torchvision's nn.ReLU(inplace=True): no second activation-sized tensor
    // (neither the batch norm's nor the convolution's backward needs its output).
    auto y = conv_bn(conv1, bn1, fused1, x).relu_();
    y = conv_bn(conv2, bn2, fused2, y).relu_();
    y = conv_bn(conv3, bn3, fused3, y);
    // Through conv_bn like every other batch norm, so a synchronised one (--sync-bn) covers it too.
    auto identity = !downsample ? x : conv_bn(downsample_conv(), downsample_bn(), fused_downsample, x);
    return (y + identity).relu_();
  }
  // The shortcut's conv and batch norm, as torchvision names them (downsample.0, downsample.1).
  nn::Conv2d downsample_conv() const { return nn::Conv2d(std::dynamic_pointer_cast<nn::Conv2dImpl>(downsample->ptr(0))); }
  nn::BatchNorm2d downsample_bn() const { return nn::BatchNorm2d(std::dynamic_pointer_cast<nn::BatchNorm2dImpl>(downsample->ptr(1))); }
  void fuse() {
    fused1 = fuse_conv_bn(conv1, bn1);
    fused2 = fuse_conv_bn(conv2, bn2);
    fused3 = fuse_conv_bn(conv3, bn3);
    if (downsample) fused_downsample = fuse_conv_bn(downsample_conv(), downsample_bn());
  }

  // MACs for an input of h x w; updates h, w to the output size.
  double macs(int64_t& h, int64_t& w) const {
    double m = double(h) * w * in * planes;
    int64_t oh = conv_out(h, 3, stride, 1), ow = conv_out(w, 3, stride, 1);
    m += double(oh) * ow * planes * planes * 9;
    m += double(oh) * ow * planes * planes * 4;
    if (downsample) m += double(oh) * ow * in * planes * 4;
    h = oh;
    w = ow;
    return m;
  }
};

}  // namespace

struct ResNet::Impl {
  nn::Conv2d conv1{nullptr};
  nn::BatchNorm2d bn1{nullptr};
  FusedConv fused1;
  std::vector<std::vector<std::shared_ptr<Bottleneck>>> layers;
  nn::Linear fc{nullptr};
};

ResNet::ResNet(const ResNetConfig& config, int64_t num_classes)
    : impl_(std::make_shared<Impl>()), config_(config), num_classes_(num_classes) {
  auto& m = *impl_;
  m.conv1 = register_module("conv1", conv(3, config.width, 7, 2));
  m.bn1 = register_module("bn1", nn::BatchNorm2d(config.width));
  int64_t in = config.width;
  for (size_t stage = 0; stage < config.layers.size(); ++stage) {
    int64_t planes = config.width << stage;
    auto list = nn::ModuleList();
    std::vector<std::shared_ptr<Bottleneck>> blocks;
    for (int64_t b = 0; b < config.layers[stage]; ++b) {
      auto block = std::make_shared<Bottleneck>(in, planes, (b == 0 && stage > 0) ? 2 : 1);
      list->push_back(block);
      blocks.push_back(block);
      in = planes * 4;
    }
    register_module("layer" + std::to_string(stage + 1), list);
    m.layers.push_back(blocks);
  }
  m.fc = register_module("fc", nn::Linear(in, num_classes));

  // torchvision's initialisation: He (fan_out) convs, unit-gain zero-shift batch norms.
  for (auto& module : modules(false)) {
    if (auto* c = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
}

void ResNet::fuse_batch_norm() {
  auto& m = *impl_;
  m.fused1 = fuse_conv_bn(m.conv1, m.bn1);
  for (auto& stage : m.layers)
    for (auto& block : stage) block->fuse();
}

torch::Tensor ResNet::forward_features(torch::Tensor x) {
  auto& m = *impl_;
  x = conv_bn(m.conv1, m.bn1, m.fused1, x).relu_();
  x = torch::max_pool2d(x, 3, 2, 1);
  for (auto& stage : m.layers)
    for (auto& block : stage) x = block->forward(x);
  return x;
}

torch::Tensor ResNet::forward_head(torch::Tensor x, bool pre_logits) {
  x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  return pre_logits ? x : impl_->fc(x);
}

double ResNet::forward_macs(int64_t h, int64_t w) const {
  h = conv_out(h, 7, 2, 3);
  w = conv_out(w, 7, 2, 3);
  double macs = double(h) * w * 3 * config_.width * 49;
  h = conv_out(h, 3, 2, 1);
  w = conv_out(w, 3, 2, 1);
  for (auto& stage : impl_->layers)
    for (auto& block : stage) macs += block->macs(h, w);
  macs += double(impl_->fc->options.in_features()) * num_classes_;
  return macs;
}

}  // namespace leuko
