#pragma once
// The one place where pixels cross from OpenCV into torch.
#include <ATen/core/Tensor.h>
#include <opencv2/core/mat.hpp>

#include "data/normalisation.h"

namespace leuko {

// 8-bit RGB HxWx3 -> float CHW, (x/255 - mean) / std, written into `out` (a 3xHxW view).
void rgb_to_normalised_chw(const cv::Mat& rgb, const Normalisation& norm, at::Tensor out);

}  // namespace leuko
