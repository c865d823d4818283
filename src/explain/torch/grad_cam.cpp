#include "explain/torch/grad_cam.h"

#include <torch/torch.h>

namespace leuko {

torch::Tensor grad_cam(const torch::Tensor& activations, const torch::Tensor& gradients) {
  auto a = activations.to(torch::kFloat), g = gradients.to(torch::kFloat);
  auto weights = g.mean({2, 3}, /*keepdim=*/true);
  return torch::relu((weights * a).sum(1));
}

torch::Tensor tokens_to_grid(const torch::Tensor& tokens, int64_t h, int64_t w) {
  return tokens.narrow(1, 1, h * w).reshape({tokens.size(0), h, w, tokens.size(2)}).permute({0, 3, 1, 2});
}

torch::Tensor upsample_and_scale(const torch::Tensor& maps, int64_t height, int64_t width) {
  namespace F = torch::nn::functional;
  auto up = F::interpolate(maps.to(torch::kFloat).unsqueeze(1),
                           F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{height, width})
                               .mode(torch::kBilinear)
                               .align_corners(false))
                .squeeze(1);
  auto flat = up.flatten(1);
  auto lo = std::get<0>(flat.min(1, /*keepdim=*/true)), hi = std::get<0>(flat.max(1, /*keepdim=*/true));
  auto range = hi - lo;
  auto scaled = torch::where(range > 0, (flat - lo) / range.clamp_min(1e-12), torch::zeros_like(flat));
  return scaled.view_as(up);
}

}  // namespace leuko
