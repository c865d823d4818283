#pragma once
// The R50+ViT-B/16 hybrid of Dosovitskiy et al. as timm defines it (vit_base_r50_s16_224 / _384,
// timm/models/vision_transformer_hybrid.py + resnetv2.py), parameter names identical to timm's:
//
//   patch_embed.backbone  BiT ResNetV2, NOT pre-activation, every conv a StdConv2dSame
//                         (weight standardised, eps 1e-8, no bias, TF "SAME" padding: the extra
//                         pixel of an odd total pad goes right/bottom)
//     .stem      conv 7x7/2 (64) - norm GroupNorm(32)+ReLU - max-pool 3x3/2 SAME (pad with -inf)
//     .stages.s.blocks.b   s = 0..2, depths (3, 4, 9), out 256/512/1024, interior out/4,
//                          stride 1 in stage 0 and 2 on the first block of later stages:
//                 downsample (first block): conv 1x1/s - norm GroupNorm (no act)
//                 conv1 1x1 - norm1 GN+ReLU - conv2 3x3/s - norm2 GN+ReLU - conv3 1x1 - norm3 GN
//                 - add shortcut - ReLU
//   patch_embed.proj      conv 1x1 1024 -> 768 (with bias): one token per 16x16 pixels
//   cls_token, pos_embed  learned; pos_embed bicubically resampled (antialias, as timm's
//                         resample_abs_pos_embed) when the token grid differs
//   blocks.i (12)         pre-norm: x + attn(norm1(x)), x + mlp(norm2(x)); LayerNorm eps 1e-6;
//                         attn.qkv (bias) 768 -> 3x768, 12 heads, attn.proj; mlp.fc1 768 -> 3072,
//                         exact GELU, mlp.fc2
//   norm                  final LayerNorm;  head  linear on the class token
//
// norm_groups 0 (the `small` preset) swaps every backbone GroupNorm for a batch norm and drops the
// weight standardisation, names unchanged: trained from scratch on a few thousand cells, the
// batch-norm backbone learns what the GroupNorm one does not in the same epochs (bench/RESULTS.md).
#include <utility>
#include <vector>

#include "models/model.h"
#include "models/model_config.h"  // VitHybridConfig; presets: models/presets.cpp

namespace leuko {

// Token grid side of the backbone for a square image: every stride-2 SAME layer rounds up.
int64_t vit_hybrid_grid(const VitHybridConfig& config, int64_t image_size);

// timm's resample_abs_pos_embed: [1, prefix + h*w, D] on an old square grid -> new_h x new_w.
torch::Tensor resample_pos_embed(const torch::Tensor& pos_embed, int64_t new_h, int64_t new_w,
                                 int64_t prefix_tokens = 1);

class VitHybrid : public ClassifierModule {
 public:
  VitHybrid(const VitHybridConfig& config, int64_t num_classes);
  torch::Tensor forward_features(torch::Tensor x) override;

  // What the explainers read, recorded during one forward (LibTorch has no module hooks).
  struct Taps {
    std::vector<torch::Tensor> attention;  // per block: attention probabilities [N, heads, T, T]
    torch::Tensor last_block_tokens;       // the last block's normed input [N, T, D], class token first
    std::pair<int64_t, int64_t> grid;      // the token grid (h, w): T = 1 + h * w
  };
  torch::Tensor forward_features(torch::Tensor x, Taps* taps);

  torch::Tensor forward_head(torch::Tensor features, bool pre_logits = false) override;
  std::vector<std::string> head_prefixes() const override { return {"head."}; }
  double forward_macs(int64_t height, int64_t width) const override;
  int64_t num_classes() const override { return num_classes_; }
  // Block i drops its residual branches with probability rate * i / (depth - 1), per image.
  bool set_drop_path_rate(double rate) override;
  const VitHybridConfig& config() const { return config_; }

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  VitHybridConfig config_;
  int64_t num_classes_;
};

}  // namespace leuko
