#pragma once
// Grad-CAM (Selvaraju et al. 2017): weight each channel of a layer's activations by the spatial
// mean of the class logit's gradient with respect to it, sum over channels, keep the positive
// part — where the evidence *for* the class lies.
#include <torch/types.h>

namespace leuko {

// activations, gradients: [N, C, h, w] (the token grid of a transformer reshaped to this form).
// Returns [N, h, w], >= 0, unscaled.
torch::Tensor grad_cam(const torch::Tensor& activations, const torch::Tensor& gradients);

// Tokens [N, 1 + h*w, D] (class token first) -> the grid [N, D, h, w] Grad-CAM reads; the
// pytorch-grad-cam reshape_transform for ViTs.
torch::Tensor tokens_to_grid(const torch::Tensor& tokens, int64_t h, int64_t w);

// [N, h, w] -> [N, height, width]: bilinear upsampling to the input, then each map scaled to
// [0, 1] by its own minimum and maximum (all zeros when the map is flat).
torch::Tensor upsample_and_scale(const torch::Tensor& maps, int64_t height, int64_t width);

}  // namespace leuko
