#include "train/optimizer.h"

#include <cmath>

#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

namespace leuko {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c, torch::nn::Module& model) {
  std::vector<torch::Tensor> decay, no_decay;
  for (auto& p : model.parameters())
    if (p.requires_grad()) (p.dim() <= 1 ? no_decay : decay).push_back(p);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (c.optimizer == Optimizer::AdamW) {
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(c.lr).weight_decay(c.weight_decay)));
    groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(c.lr).weight_decay(0)));
    return std::make_unique<torch::optim::AdamW>(std::move(groups), torch::optim::AdamWOptions(c.lr));
  }
  auto sgd = [&](double weight_decay) {
    return std::make_unique<torch::optim::SGDOptions>(
        torch::optim::SGDOptions(c.lr).momentum(0.9).nesterov(true).weight_decay(weight_decay));
  };
  groups.emplace_back(decay, sgd(c.weight_decay));
  groups.emplace_back(no_decay, sgd(0));
  return std::make_unique<torch::optim::SGD>(std::move(groups), torch::optim::SGDOptions(c.lr));
}

double scheduled_learning_rate(double base, size_t step, size_t warmup_steps, size_t total_steps, double floor) {
  if (warmup_steps > 0 && step < warmup_steps) return base * static_cast<double>(step + 1) / warmup_steps;
  double progress = total_steps > warmup_steps
                        ? static_cast<double>(step - warmup_steps) / static_cast<double>(total_steps - warmup_steps)
                        : 1.0;
  return floor + 0.5 * (base - floor) * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace leuko
