#pragma once
// The one place where pixels cross from OpenCV into torch.
#include <array>

#include <ATen/core/Tensor.h>
#include <opencv2/core/mat.hpp>

namespace leuko {

struct Normalisation {
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};  // ImageNet, RGB
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

// 8-bit RGB HxWx3 -> float CHW, (x/255 - mean) / std, written into `out` (a 3xHxW view).
void rgb_to_normalised_chw(const cv::Mat& rgb, const Normalisation& norm, at::Tensor out);

}  // namespace leuko
