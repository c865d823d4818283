#include "train/weight_average.h"

#include <algorithm>
#include <stdexcept>

#include <torch/torch.h>

#include "models/model.h"

namespace leuko {

WeightAverage::WeightAverage(const torch::nn::Module& model, double decay) : decay_(decay) {
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : state_entries(model)) average_.emplace_back(name, tensor.detach().clone());
}

double WeightAverage::decay_at(int64_t update) const {
  return std::min(decay_, (1.0 + static_cast<double>(update)) / (10.0 + static_cast<double>(update)));
}

void WeightAverage::update(const torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  const double d = decay_at(updates_++);
  const auto live = state_entries(model);
  if (live.size() != average_.size()) throw std::logic_error("WeightAverage: the model's state changed shape");
  for (size_t i = 0; i < live.size(); ++i) {
    torch::Tensor& avg = average_[i].second;
    const torch::Tensor& now = live[i].second;
    if (avg.is_floating_point()) avg.lerp_(now.detach(), 1.0 - d);
    else avg.copy_(now);
  }
}

void WeightAverage::swap_with(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  const auto live = state_entries(model);
  if (live.size() != average_.size()) throw std::logic_error("WeightAverage: the model's state changed shape");
  for (size_t i = 0; i < live.size(); ++i) {
    torch::Tensor held = live[i].second.detach().clone();
    live[i].second.detach().copy_(average_[i].second);
    average_[i].second.copy_(held);
  }
}

// Keyed by position (the model's state_entries order): archive keys may not hold the dots of
// state-dict names.
void WeightAverage::save(torch::serialize::OutputArchive& archive) const {
  for (size_t i = 0; i < average_.size(); ++i) archive.write("t" + std::to_string(i), average_[i].second, /*is_buffer=*/true);
  archive.write("ema_updates", torch::tensor(updates_));
}

void WeightAverage::load(torch::serialize::InputArchive& archive) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < average_.size(); ++i) {
    torch::Tensor read;
    archive.read("t" + std::to_string(i), read);
    // copy_ would broadcast a smaller tensor into a larger one: refuse instead.
    TORCH_CHECK(read.sizes() == average_[i].second.sizes(), "weight average entry ", i, " has shape ", read.sizes(),
                ", the model's is ", average_[i].second.sizes());
    average_[i].second.copy_(read);
  }
  torch::Tensor n;
  archive.read("ema_updates", n);
  updates_ = n.item<int64_t>();
}

}  // namespace leuko
