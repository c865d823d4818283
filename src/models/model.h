#pragma once
// The one interface every classifier in the registry implements: images in, logits out, plus what
// weight loading and the `models` table need to know about the architecture.
#include <torch/nn/module.h>

#include <string>
#include <vector>

namespace leuko {

class ClassifierModule : public torch::nn::Module {
 public:
  // x: [N, 3, H, W] float, any H and W the architecture can reduce to at least one pixel.
  virtual torch::Tensor forward(torch::Tensor x) = 0;

  // State-dict key prefixes of the classification head (e.g. "fc."): skipped, not refused, when a
  // checkpoint was trained for a different number of classes.
  virtual std::vector<std::string> head_prefixes() const = 0;

  // Forward multiply-accumulates (conv, linear, attention matmuls) for one HxW image, the
  // convention of torchvision's "GFLOPS" column (ResNet-50 @224: 4.09e9).
  virtual double forward_macs(int64_t height, int64_t width) const = 0;

  virtual int64_t num_classes() const = 0;
};

// Parameters and buffers under the names Python's state_dict() would give them; undefined
// tensors (e.g. the absent bias of a bias-free conv) are left out as PyTorch does.
std::vector<std::pair<std::string, torch::Tensor>> state_entries(const torch::nn::Module& module);

int64_t count_parameters(const torch::nn::Module& module);

}  // namespace leuko
