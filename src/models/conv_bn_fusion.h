#pragma once
// Scoring only: a convolution followed by an eval-mode batch norm is one convolution with a bias,
//   w' = w · γ / √(σ² + ε),   b' = β − μ · γ / √(σ² + ε)
// (per output channel), which saves the batch norm's pass over every activation map — a memory-
// bound pass that costs as much as the convolution at 224 px on a CPU. PyTorch's eager mode keeps
// them apart; torch.fx / TorchScript freezing does this same fold. The fused tensors live beside
// the module's parameters (which stay as trained, so state_dict and saving are unchanged) and are
// used only in eval mode; re-fuse after loading new weights.
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

namespace leuko {

struct FusedConv {
  torch::Tensor weight, bias;  // undefined = not fused
};

FusedConv fuse_conv_bn(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2d& bn);

// bn(conv(x)), through the fused convolution when there is one and the modules are in eval mode.
// In training mode with an override set, the override computes the batch norm instead.
torch::Tensor conv_bn(torch::nn::Conv2d conv, torch::nn::BatchNorm2d bn, const FusedConv& fused,
                      const torch::Tensor& x);

// Data-parallel training with statistics over every rank's batch (distributed/torch/
// sync_batch_norm.h) replaces training-mode batch norm here, where every model's batch norms
// pass, so the models need not know about ranks. nullptr = the module's own batch norm.
using BatchNormOverride = torch::Tensor (*)(torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& x);
void set_batch_norm_override(BatchNormOverride override_function);

// bn(y) for a batch norm that follows no nn::Conv2d (the ViT Hybrid's batch-norm backbone),
// through the override in training mode like conv_bn.
torch::Tensor batch_norm(torch::nn::BatchNorm2d bn, const torch::Tensor& y);

}  // namespace leuko
