#include "models/model.h"

#include <torch/torch.h>

namespace leuko {

std::vector<std::pair<std::string, torch::Tensor>> state_entries(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& p : module.named_parameters(true))
    if (p.value().defined()) out.emplace_back(p.key(), p.value());
  for (const auto& b : module.named_buffers(true))
    if (b.value().defined()) out.emplace_back(b.key(), b.value());
  return out;
}

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters(true))
    if (p.defined()) n += p.numel();
  return n;
}

}  // namespace leuko
