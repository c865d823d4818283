#include "eval/torch/inference.h"

#include <chrono>

#include <torch/torch.h>

#include "common/count_progress.h"
#include "models/autocast.h"
#include "models/model.h"

namespace leuko {

Predictions predict(ClassifierModule& model, BatchLoader& loader, const torch::Device& device, bool bf16, bool tta,
                    bool features, CountProgress* progress) {
  auto t0 = std::chrono::steady_clock::now();
  Predictions p;
  p.num_classes = static_cast<int>(model.num_classes());
  bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  double loss_sum = 0;
  loader.start_epoch(0);
  while (auto batch = loader.next()) {
    p.unreadable.insert(p.unreadable.end(), batch->unreadable.begin(), batch->unreadable.end());
    if (progress) progress->advance(batch->sample_index.size() + batch->unreadable.size());
    if (batch->sample_index.empty()) continue;
    auto x = batch->images.to(device, /*non_blocking=*/true);
    torch::Tensor logits, probs, pooled;
    {
      Bf16Autocast autocast(bf16, device.is_cuda());
      if (!tta || features) {
        auto f = model.forward_features(x);
        if (features) pooled = model.forward_head(f, /*pre_logits=*/true).to(torch::kFloat);
        logits = model.forward_head(f).to(torch::kFloat);
        probs = torch::softmax(logits, 1);
      }
      if (tta) {
        // Cells have no orientation: the 8 symmetries of the square are equally valid views.
        logits = torch::zeros({x.size(0), p.num_classes}, torch::kFloat).to(device);
        probs = torch::zeros_like(logits);
        for (int flip = 0; flip < 2; ++flip)
          for (int64_t turns = 0; turns < 4; ++turns) {
            auto view = flip ? x.flip({3}) : x;
            if (turns) view = torch::rot90(view, turns, {2, 3});
            auto l = model.forward(view.contiguous(x.suggest_memory_format())).to(torch::kFloat);
            logits += l / 8.0;
            probs += torch::softmax(l, 1) / 8.0;
          }
      }
    }
    // Images to predict have no label (-1): there is no loss to report.
    if (batch->labels.min().item<int64_t>() >= 0) {
      auto labels = batch->labels.to(device, /*non_blocking=*/true);
      loss_sum += torch::nn::functional::cross_entropy(logits, labels,
                                                       torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                      .item<double>();
    }
    if (features) {
      auto f_cpu = pooled.cpu().contiguous();
      p.feature_dim = f_cpu.size(1);
      p.features.insert(p.features.end(), f_cpu.data_ptr<float>(), f_cpu.data_ptr<float>() + f_cpu.numel());
    }
    auto l_cpu = logits.cpu().contiguous(), p_cpu = probs.cpu().contiguous();
    p.logits.insert(p.logits.end(), l_cpu.data_ptr<float>(), l_cpu.data_ptr<float>() + l_cpu.numel());
    p.probs.insert(p.probs.end(), p_cpu.data_ptr<float>(), p_cpu.data_ptr<float>() + p_cpu.numel());
    auto y = batch->labels.contiguous();
    for (int64_t i = 0; i < y.size(0); ++i) p.labels.push_back(static_cast<int>(y[i].item<int64_t>()));
    p.sample_index.insert(p.sample_index.end(), batch->sample_index.begin(), batch->sample_index.end());
  }
  p.mean_loss = p.labels.empty() ? 0 : loss_sum / static_cast<double>(p.labels.size());
  if (was_training) model.train();
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return p;
}

}  // namespace leuko
