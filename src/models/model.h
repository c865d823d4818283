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
  // Logits [N, classes]: forward_head(forward_features(x)), timm's split.
  torch::Tensor forward(torch::Tensor x) { return forward_head(forward_features(x)); }

  // What the explainers and the trust scores need, exposed because LibTorch's C++ frontend has
  // no module hooks: the last stage's output before pooling — [N, C, h, w] for the CNNs (the
  // Grad-CAM layer), the normed tokens [N, 1 + h*w, D] for the hybrid (class token first).
  virtual torch::Tensor forward_features(torch::Tensor x) = 0;

  // Pooling (the class token for the hybrid), then the classifier; with `pre_logits` the pooled
  // penultimate features [N, D] instead of the logits (what the Mahalanobis score is fitted on).
  virtual torch::Tensor forward_head(torch::Tensor features, bool pre_logits = false) = 0;

  // State-dict key prefixes of the classification head (e.g. "fc."): skipped, not refused, when a
  // checkpoint was trained for a different number of classes.
  virtual std::vector<std::string> head_prefixes() const = 0;

  // Forward multiply-accumulates (conv, linear, attention matmuls) for one HxW image, the
  // convention of torchvision's "GFLOPS" column (ResNet-50 @224: 4.09e9).
  virtual double forward_macs(int64_t height, int64_t width) const = 0;

  virtual int64_t num_classes() const = 0;

  // Stochastic depth for training (timm's drop_path_rate): false when the architecture has no
  // residual branches it applies to (the CNNs here: torchvision's have none), so nothing changed.
  virtual bool set_drop_path_rate(double rate) { return rate == 0; }
};

// Parameters and buffers under the names Python's state_dict() would give them; undefined
// tensors (e.g. the absent bias of a bias-free conv) are left out as PyTorch does.
std::vector<std::pair<std::string, torch::Tensor>> state_entries(const torch::nn::Module& module);

int64_t count_parameters(const torch::nn::Module& module);

}  // namespace leuko
