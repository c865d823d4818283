#include "train/batch_mixing.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

namespace leuko {
namespace {

double beta_sample(double a, std::mt19937_64& rng) {
  std::gamma_distribution<double> gamma(a, 1.0);
  const double x = gamma(rng), y = gamma(rng);
  return x + y > 0 ? x / (x + y) : 0.5;
}

}  // namespace

torch::Tensor smoothed_one_hot(const torch::Tensor& labels, int64_t classes, double smoothing) {
  const double off = smoothing / static_cast<double>(classes);
  auto targets = torch::full({labels.size(0), classes}, off, torch::TensorOptions().dtype(torch::kFloat).device(labels.device()));
  return targets.scatter_(1, labels.to(torch::kLong).unsqueeze(1), 1.0 - smoothing + off);
}

MixedBatch mix_batch(const torch::Tensor& images, const torch::Tensor& labels, int64_t classes,
                     const MixingOptions& o, std::mt19937_64& rng) {
  MixedBatch out;
  const auto own = smoothed_one_hot(labels, classes, o.label_smoothing);
  if (!o.enabled()) {
    out.images = images;
    out.targets = own;
    return out;
  }
  out.cut = o.cutmix > 0 && (o.mixup <= 0 || std::uniform_real_distribution<double>(0, 1)(rng) < 0.5);
  double lambda = beta_sample(out.cut ? o.cutmix : o.mixup, rng);
  const auto partner = images.flip(0);
  if (out.cut) {
    // timm's rand_bbox: a box of side ratio sqrt(1 - lambda) centred anywhere, clipped.
    const int64_t h = images.size(2), w = images.size(3);
    const double ratio = std::sqrt(1.0 - lambda);
    const auto cut_h = static_cast<int64_t>(static_cast<double>(h) * ratio),
               cut_w = static_cast<int64_t>(static_cast<double>(w) * ratio);
    const int64_t cy = std::uniform_int_distribution<int64_t>(0, h - 1)(rng),
                  cx = std::uniform_int_distribution<int64_t>(0, w - 1)(rng);
    const int64_t y0 = std::clamp<int64_t>(cy - cut_h / 2, 0, h), y1 = std::clamp<int64_t>(cy + cut_h / 2, 0, h);
    const int64_t x0 = std::clamp<int64_t>(cx - cut_w / 2, 0, w), x1 = std::clamp<int64_t>(cx + cut_w / 2, 0, w);
    out.images = images.clone();
    if (y1 > y0 && x1 > x0)
      out.images.narrow(2, y0, y1 - y0).narrow(3, x0, x1 - x0).copy_(partner.narrow(2, y0, y1 - y0).narrow(3, x0, x1 - x0));
    lambda = 1.0 - static_cast<double>((y1 - y0) * (x1 - x0)) / static_cast<double>(h * w);
  } else {
    out.images = (images * lambda + partner * (1.0 - lambda)).contiguous(images.suggest_memory_format());
  }
  out.lambda = lambda;
  out.targets = own * lambda + own.flip(0) * (1.0 - lambda);
  return out;
}

torch::Tensor soft_target_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets) {
  return (-targets * torch::log_softmax(logits, 1)).sum(1).mean();
}

}  // namespace leuko
