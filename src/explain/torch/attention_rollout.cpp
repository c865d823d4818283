#include "explain/torch/attention_rollout.h"

#include <stdexcept>

#include <torch/torch.h>

namespace leuko {

torch::Tensor attention_rollout(const std::vector<torch::Tensor>& attentions, int64_t h, int64_t w) {
  if (attentions.empty()) throw std::invalid_argument("attention_rollout: no attention maps");
  const int64_t n = attentions[0].size(0), t = attentions[0].size(-1);
  if (t != 1 + h * w) throw std::invalid_argument("attention_rollout: token count does not match the grid");
  auto eye = torch::eye(t, torch::kFloat).to(attentions[0].device()).expand({n, t, t});
  torch::Tensor rollout = eye.clone();
  for (const auto& attention : attentions) {
    auto a = attention.to(torch::kFloat).mean(1) + eye;
    a = a / a.sum(-1, /*keepdim=*/true);
    rollout = torch::bmm(a, rollout);
  }
  return rollout.select(1, 0).narrow(1, 1, h * w).reshape({n, h, w});
}

}  // namespace leuko
