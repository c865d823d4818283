#pragma once
// Mixup (Zhang et al., 2018) and CutMix (Yun et al., 2019) as timm's Mixup applies them: one
// mixing weight lambda ~ Beta(a, a) per batch, every image mixed with its partner in the batch
// read backwards (x.flip(0)), and the targets mixed alike — each one-hot target label-smoothed
// first, so --label-smoothing means the same with and without mixing. CutMix pastes a box of the
// partner whose area is 1 - lambda (then recomputed from the box actually cut, clipped at the
// borders). With both on, a fair coin picks one of the two per batch (timm's switch_prob 0.5).
#include <cstdint>
#include <random>

#include <torch/types.h>

namespace leuko {

struct MixingOptions {
  double mixup = 0, cutmix = 0;  // Beta parameters; 0 = off
  double label_smoothing = 0;
  bool enabled() const { return mixup > 0 || cutmix > 0; }
};

struct MixedBatch {
  torch::Tensor images;   // same shape and memory format as the input
  torch::Tensor targets;  // [N, classes] float, rows sum to 1
  double lambda = 1;      // the share of each image's own label in its target
  bool cut = false;       // CutMix (else mixup)
};

// Label-smoothed one-hot targets: 1 - s + s/K on the label, s/K elsewhere (PyTorch's and timm's).
torch::Tensor smoothed_one_hot(const torch::Tensor& labels, int64_t classes, double smoothing);

MixedBatch mix_batch(const torch::Tensor& images, const torch::Tensor& labels, int64_t classes,
                     const MixingOptions& options, std::mt19937_64& rng);

// Mean over the batch of -sum_k target_k * log softmax(logits)_k (timm SoftTargetCrossEntropy).
torch::Tensor soft_target_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace leuko
