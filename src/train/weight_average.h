#pragma once
// An exponential moving average of a model's weights, as timm's ModelEmaV3 keeps it: every
// floating-point parameter and buffer (batch-norm running statistics too) averaged after each
// optimiser step, integer buffers copied. The decay warms up by TensorFlow's
// ExponentialMovingAverage(num_updates) rule, min(decay, (1 + t) / (10 + t)) at update t (timm's
// ModelEmaV3 offers a similar warm-up, off by default), so a run of a few hundred steps is not an
// average dominated by its random start. Validation, the best weights and so `evaluate` use the average; training
// goes on with the live weights, and last.ckpt holds both for --resume.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/serialize/archive.h>

namespace leuko {

class WeightAverage {
 public:
  WeightAverage(const torch::nn::Module& model, double decay);

  // After each optimiser step; the model is the one the average was made from.
  void update(const torch::nn::Module& model);

  // Exchanges the average with the model's own weights: call again to exchange them back.
  void swap_with(torch::nn::Module& model);

  double decay_at(int64_t update) const;
  int64_t updates() const { return updates_; }

  void save(torch::serialize::OutputArchive& archive) const;
  // c10::Error for a missing or mis-shaped tensor (the checkpoint reader names the file).
  void load(torch::serialize::InputArchive& archive);

 private:
  std::vector<std::pair<std::string, torch::Tensor>> average_;
  double decay_;
  int64_t updates_ = 0;
};

}  // namespace leuko
