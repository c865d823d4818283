#include "models/conv_bn_fusion.h"

#include <torch/torch.h>
#include <torch/version.h>

namespace leuko {
namespace {
BatchNormOverride batch_norm_override = nullptr;
}  // namespace

void set_batch_norm_override(BatchNormOverride override_function) { batch_norm_override = override_function; }

FusedConv fuse_conv_bn(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn) {
  torch::NoGradGuard no_grad;
  const auto& o = bn->options;
  auto scale = bn->weight / torch::sqrt(bn->running_var + o.eps());
  FusedConv f;
  // The weight keeps the memory format of the trained one (NHWC models get NHWC weights).
  f.weight = (conv->weight * scale.view({-1, 1, 1, 1})).contiguous(conv->weight.suggest_memory_format());
  auto bias = conv->options.bias() ? conv->bias : torch::zeros_like(bn->running_mean);
  f.bias = (bias - bn->running_mean) * scale + bn->bias;
  return f;
}

torch::Tensor batch_norm(torch::nn::BatchNorm2d bn, const torch::Tensor& y) {
  if (batch_norm_override && bn->is_training()) return batch_norm_override(*bn, y);
  return bn->forward(y);
}

torch::Tensor conv_bn(torch::nn::Conv2d conv, torch::nn::BatchNorm2d bn, const FusedConv& fused,
                      const torch::Tensor& x) {
  if (batch_norm_override && bn->is_training()) return batch_norm_override(*bn, conv->forward(x));
  if (!fused.weight.defined() || conv->is_training() || bn->is_training()) return bn->forward(conv->forward(x));
  const auto& o = conv->options;
  // The padding is a variant (numbers, or kValid/kSame): c10::variant in LibTorch 1.13,
  // std::variant from 2.x on. The models here give numbers.
#if TORCH_VERSION_MAJOR >= 2
  const auto& padding = std::get<torch::ExpandingArray<2>>(o.padding());
#else
  const auto& padding = c10::get<torch::ExpandingArray<2>>(o.padding());
#endif
  return torch::conv2d(x, fused.weight.to(x.scalar_type()), fused.bias.to(x.scalar_type()), o.stride(), padding,
                       o.dilation(), o.groups());
}

}  // namespace leuko
