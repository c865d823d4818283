#include "explain/torch/explainer.h"

#include <torch/torch.h>

#include "explain/torch/attention_rollout.h"
#include "explain/torch/grad_cam.h"
#include "models/model.h"
#include "models/vit_hybrid.h"

namespace leuko {

namespace {

torch::Tensor class_score(const torch::Tensor& logits, const torch::Tensor& target) {
  return logits.to(torch::kFloat).gather(1, target.to(logits.device()).view({-1, 1})).sum();
}

// The CNNs: the gradient of the class logit reaches the last stage's activations through the
// head alone (pooling, classifier), so the backbone runs once without a graph and only the head
// is differentiated.
torch::Tensor cnn_grad_cam(ClassifierModule& model, const torch::Tensor& x, const torch::Tensor& target) {
  torch::Tensor features;
  {
    torch::NoGradGuard no_grad;
    features = model.forward_features(x);
  }
  features = features.detach().to(torch::kFloat).requires_grad_(true);
  auto gradients = torch::autograd::grad({class_score(model.forward_head(features), target)}, {features})[0];
  return grad_cam(features.detach(), gradients);
}

}  // namespace

std::vector<std::string> explanation_methods(const ClassifierModule& model) {
  if (dynamic_cast<const VitHybrid*>(&model)) return {"attention-rollout", "grad-cam"};
  return {"grad-cam"};
}

std::vector<Heatmaps> explain(ClassifierModule& model, const torch::Tensor& x, const torch::Tensor& target) {
  const bool was_training = model.is_training();
  model.eval();
  torch::AutoGradMode grad_mode(true);
  const int64_t height = x.size(2), width = x.size(3);
  std::vector<Heatmaps> out;
  if (auto* vit = dynamic_cast<VitHybrid*>(&model)) {
    // The input is made a leaf that needs a gradient so that the graph exists even when the
    // weights are frozen; only the path from the last block's tokens to the logit is walked back.
    VitHybrid::Taps taps;
    auto input = x.detach().to(torch::kFloat).requires_grad_(true);
    auto logits = vit->forward_head(vit->forward_features(input, &taps));
    auto gradients = torch::autograd::grad({class_score(logits, target)}, {taps.last_block_tokens})[0];
    auto [h, w] = taps.grid;
    std::vector<torch::Tensor> attentions;
    for (auto& a : taps.attention) attentions.push_back(a.detach());
    out.push_back({"attention-rollout", upsample_and_scale(attention_rollout(attentions, h, w), height, width).cpu()});
    auto cam = grad_cam(tokens_to_grid(taps.last_block_tokens.detach(), h, w), tokens_to_grid(gradients, h, w));
    out.push_back({"grad-cam", upsample_and_scale(cam, height, width).cpu()});
  } else {
    out.push_back({"grad-cam", upsample_and_scale(cnn_grad_cam(model, x, target), height, width).cpu()});
  }
  if (was_training) model.train();
  return out;
}

}  // namespace leuko
