#pragma once
// The study's baseline: a plain stack of convolution blocks with no residual connections.
//
//   blocks.i (i = 0..n-1):  conv 3x3, stride 1, pad 1, no bias (channels[i])
//                           -> batch norm -> ReLU -> max-pool 2x2/2 (ceil mode, so a 1-pixel map
//                              survives and any input size works)
//   global average pool -> dropout(p) -> classifier (linear, channels[n-1] -> classes)
//
// Presets: models/presets.cpp (paper = channels 32-64-128-256 at 224 px, dropout 0.5).
#include <vector>

#include "models/model.h"
#include "models/model_config.h"  // SimpleCnnConfig

namespace leuko {

class SimpleCnn : public ClassifierModule {
 public:
  SimpleCnn(const SimpleCnnConfig& config, int64_t num_classes);
  torch::Tensor forward_features(torch::Tensor x) override;
  torch::Tensor forward_head(torch::Tensor features, bool pre_logits = false) override;
  std::vector<std::string> head_prefixes() const override { return {"classifier."}; }
  double forward_macs(int64_t height, int64_t width) const override;
  int64_t num_classes() const override { return num_classes_; }
  // Scoring: fold every batch norm into its convolution (models/conv_bn_fusion.h).
  void fuse_batch_norm();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
  SimpleCnnConfig config_;
  int64_t num_classes_;
};

}  // namespace leuko
