#include "data/torch/image_tensor.h"

#include <stdexcept>

namespace leuko {

void rgb_to_normalised_chw(const cv::Mat& rgb, const Normalisation& norm, at::Tensor out) {
  if (rgb.type() != CV_8UC3) throw std::invalid_argument("rgb_to_normalised_chw: expected CV_8UC3");
  const int h = rgb.rows, w = rgb.cols;
  TORCH_CHECK(out.dim() == 3 && out.size(0) == 3 && out.size(1) == h && out.size(2) == w,
              "output view must be 3x", h, "x", w);
  TORCH_CHECK(out.is_contiguous(), "output view must be contiguous");
  float* dst = out.data_ptr<float>();
  const size_t plane = static_cast<size_t>(h) * w;
  float scale[3], shift[3];
  for (int c = 0; c < 3; ++c) {
    scale[c] = 1.0f / (255.0f * norm.std[c]);
    shift[c] = -norm.mean[c] / norm.std[c];
  }
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = rgb.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      const size_t i = static_cast<size_t>(y) * w + x;
      for (int c = 0; c < 3; ++c) dst[c * plane + i] = row[3 * x + c] * scale[c] + shift[c];
    }
  }
}

}  // namespace leuko
