#pragma once
// The hyper-parameters of each architecture, one struct per model (the architecture itself is in
// simple_cnn.h, resnet.h, vit_hybrid.h). Torch-free, so that the preset table (presets.h) and the
// `models` listing compile without torch.
//
// describe() is the one human description of a config: the `models` table prints it, and it is
// generated from the same values the builder reads, so the two cannot drift apart.
#include <cstdint>
#include <string>
#include <vector>

namespace leuko {

// simple_cnn.h: one conv-BN-ReLU-maxpool block per entry of `channels`, then dropout + linear.
struct SimpleCnnConfig {
  std::vector<int64_t> channels{32, 64, 128, 256};
  double dropout = 0.5;
};

// resnet.h: torchvision's ResNet v1.5 with bottleneck blocks.
struct ResNetConfig {
  std::vector<int64_t> layers{3, 4, 6, 3};
  int64_t width = 64;  // channels of conv1 and of layer1's bottleneck interior
};

// vit_hybrid.h: timm's ResNetV2 (BiT) backbone + ViT encoder.
struct VitHybridConfig {
  std::vector<int64_t> layers{3, 4, 9};            // bottlenecks per backbone stage
  std::vector<int64_t> channels{256, 512, 1024};   // stage outputs; the interior is a quarter
  int64_t stem_width = 64;
  int64_t norm_groups = 32;  // GroupNorm groups over weight-standardised convs (BiT); 0 = batch norm, plain convs
  int64_t embed_dim = 768;
  int64_t depth = 12;
  int64_t heads = 12;
  int64_t mlp_dim = 3072;
  int64_t image_size = 224;  // fixes the position-embedding grid the weights are trained on
};

// "4 conv blocks 32-64-128-256, dropout 0.5"
std::string describe(const SimpleCnnConfig& config);
// "bottlenecks 3-4-6-3, width 64"
std::string describe(const ResNetConfig& config);
// "ResNet stages 3-4-9 (256-512-1024, stem 64, GN 32) + ViT 12 blocks x 768, 12 heads, MLP 3072"
// (", BN)" for a batch-norm backbone)
std::string describe(const VitHybridConfig& config);

}  // namespace leuko
