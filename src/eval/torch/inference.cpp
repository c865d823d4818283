#include "eval/torch/inference.h"

#include <algorithm>
#include <chrono>

#include <torch/torch.h>

#include "common/count_progress.h"
#include "distributed/torch/communicator.h"
#include "models/autocast.h"
#include "models/model.h"

namespace leuko {
namespace {

// Evaluation on N ranks: each predicted its own batches of the loader (batch k·N + r); every rank
// gets all rows back in the order one process would have produced them, so metrics, calibration
// and trust scores computed afterwards are the same numbers on every rank and equal to a
// single-process evaluation. A row travels as doubles (exact for float and for indices):
// position in the epoch, label, sample index, the batch's loss sum (on its first row, 0 on the
// others, so adding the rows in order repeats one process's additions), logits, probs, features.
Predictions gather_shards(Communicator& comm, const Predictions& local, const std::vector<double>& row_loss,
                          const BatchLoader& loader) {
  const int64_t k = local.num_classes, n = static_cast<int64_t>(local.labels.size());
  std::vector<torch::Tensor> counts_in{torch::tensor({n, local.feature_dim}, torch::kInt64)};
  auto counts = comm.all_gather(counts_in[0]);
  int64_t most = 0, feature_dim = 0;
  for (auto& c : counts) {
    most = std::max(most, c[0].item<int64_t>());
    feature_dim = std::max(feature_dim, c[1].item<int64_t>());
  }
  const auto order = loader.epoch_order(0);
  std::vector<size_t> position(order.size());
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  const int64_t width = 4 + 2 * k + feature_dim;
  auto rows = torch::zeros({std::max<int64_t>(most, 1), width}, torch::kDouble);
  auto r = rows.accessor<double, 2>();
  for (int64_t i = 0; i < n; ++i) {
    r[i][0] = static_cast<double>(position[local.sample_index[static_cast<size_t>(i)]]);
    r[i][1] = local.labels[static_cast<size_t>(i)];
    r[i][2] = static_cast<double>(local.sample_index[static_cast<size_t>(i)]);
    r[i][3] = row_loss[static_cast<size_t>(i)];
    for (int64_t c = 0; c < k; ++c) {
      r[i][4 + c] = local.logits[static_cast<size_t>(i * k + c)];
      r[i][4 + k + c] = local.probs[static_cast<size_t>(i * k + c)];
    }
    for (int64_t f = 0; f < local.feature_dim; ++f)
      r[i][4 + 2 * k + f] = local.features[static_cast<size_t>(i * local.feature_dim + f)];
  }
  auto all = comm.all_gather(rows);
  std::vector<std::pair<double, const double*>> merged;
  for (size_t rank = 0; rank < all.size(); ++rank) {
    const int64_t rank_rows = counts[rank][0].item<int64_t>();
    all[rank] = all[rank].contiguous();
    const double* rank_data = all[rank].data_ptr<double>();  // [most, width], row-major
    for (int64_t i = 0; i < rank_rows; ++i) merged.emplace_back(rank_data[i * width], rank_data + i * width);
  }
  std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Predictions p;
  p.num_classes = local.num_classes;
  p.feature_dim = feature_dim;
  p.unreadable = local.unreadable;
  double loss_sum = 0;
  for (const auto& [pos, row] : merged) {
    p.labels.push_back(static_cast<int>(row[1]));
    p.sample_index.push_back(static_cast<size_t>(row[2]));
    loss_sum += row[3];
    for (int64_t c = 0; c < k; ++c) p.logits.push_back(static_cast<float>(row[4 + c]));
    for (int64_t c = 0; c < k; ++c) p.probs.push_back(static_cast<float>(row[4 + k + c]));
    for (int64_t f = 0; f < feature_dim; ++f) p.features.push_back(static_cast<float>(row[4 + 2 * k + f]));
  }
  p.mean_loss = p.labels.empty() ? 0 : loss_sum / static_cast<double>(p.labels.size());
  return p;
}

}  // namespace

Predictions predict(ClassifierModule& model, BatchLoader& loader, const torch::Device& device, bool bf16, bool tta,
                    bool features, CountProgress* progress) {
  auto t0 = std::chrono::steady_clock::now();
  Predictions p;
  p.num_classes = static_cast<int>(model.num_classes());
  bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  double loss_sum = 0;
  std::vector<double> row_loss;  // the batch's loss sum on its first row (gather_shards)
  Communicator* comm = current_communicator();
  if (comm) loader.set_shard(comm->rank(), comm->size());
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
    double batch_loss = 0;
    if (batch->labels.min().item<int64_t>() >= 0) {
      auto labels = batch->labels.to(device, /*non_blocking=*/true);
      batch_loss = torch::nn::functional::cross_entropy(logits, labels,
                                                        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>();
      loss_sum += batch_loss;
    }
    row_loss.push_back(batch_loss);
    row_loss.resize(row_loss.size() + batch->sample_index.size() - 1, 0.0);
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
  if (comm) {
    loader.set_shard(0, 1);
    p = gather_shards(*comm, p, row_loss, loader);
  }
  if (was_training) model.train();
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return p;
}

}  // namespace leuko
