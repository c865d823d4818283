#pragma once
// ResNet-50 v1.5 exactly as torchvision builds it (torchvision/models/resnet.py): the stride of a
// downsampling bottleneck sits in its 3x3 conv, and every parameter and buffer carries the name
// torchvision's state_dict gives it, so weights move between the two unchanged.
//
//   conv1 7x7/2 (64) - bn1 - relu - maxpool 3x3/2
//   layer1..layer4: [3, 4, 6, 3] bottlenecks, widths 64, 128, 256, 512 (x4 out)
//     bottleneck: conv1 1x1 - bn1 - relu - conv2 3x3/s - bn2 - relu - conv3 1x1 - bn3
//                 (+ downsample.0 conv 1x1/s, downsample.1 bn on the first block) - add - relu
//   adaptive avgpool 1x1 - fc
#include <vector>

#include "models/model.h"
#include "models/model_config.h"  // ResNetConfig; presets: models/presets.cpp

namespace leuko {

class ResNet : public ClassifierModule {
 public:
  ResNet(const ResNetConfig& config, int64_t num_classes);
  torch::Tensor forward_features(torch::Tensor x) override;
  torch::Tensor forward_head(torch::Tensor features, bool pre_logits = false) override;
  std::vector<std::string> head_prefixes() const override { return {"fc."}; }
  double forward_macs(int64_t height, int64_t width) const override;
  int64_t num_classes() const override { return num_classes_; }
  // Scoring: fold every batch norm into its convolution (models/conv_bn_fusion.h).
  void fuse_batch_norm();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  ResNetConfig config_;
  int64_t num_classes_;
};

}  // namespace leuko
