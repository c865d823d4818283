#pragma once
// Why a model called a cell what it did, as heatmaps over the image it saw. Every model gets
// Grad-CAM: on the last convolutional stage for simple-cnn and resnet50, on the token grid of
// the last transformer block (its normed input, pytorch-grad-cam's ViT target) for vit-hybrid,
// which also gets attention rollout over all its blocks.
#include <string>
#include <vector>

#include <torch/types.h>

namespace leuko {

class ClassifierModule;

struct Heatmaps {
  std::string method;  // "grad-cam" or "attention-rollout"
  torch::Tensor maps;  // [N, H, W] float on the CPU, each scaled to [0, 1], at the input's size
};

// The methods `explain` returns for this model, in that order.
std::vector<std::string> explanation_methods(const ClassifierModule& model);

// x: a batch as the model takes it ([N, 3, H, W], on the model's device); target: int64 [N], the
// class each image's map explains (usually its predicted class). Runs in fp32 with gradients on
// whatever the caller's grad mode; the model is put in eval mode and left as it was.
std::vector<Heatmaps> explain(ClassifierModule& model, const torch::Tensor& x, const torch::Tensor& target);

}  // namespace leuko
