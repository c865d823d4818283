#pragma once
// The optimiser and its schedule: AdamW or SGD (Nesterov momentum 0.9) with weight decay on
// weights only — never on norm scales and biases, the usual recipe of timm and torchvision — and
// a linear warm-up to the base rate followed by cosine decay to `floor` (--min-lr, default zero)
// at the last step.
#include <cstddef>
#include <memory>

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include "run/train_config.h"

namespace leuko {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c, torch::nn::Module& model);

double scheduled_learning_rate(double base, size_t step, size_t warmup_steps, size_t total_steps, double floor = 0);

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

}  // namespace leuko
