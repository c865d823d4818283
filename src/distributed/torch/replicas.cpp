#include "distributed/torch/replicas.h"

#include <torch/torch.h>

#include "distributed/torch/communicator.h"

namespace leuko {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Collectives want dense tensors; an NHWC weight is dense but not "contiguous", so it travels as a
// contiguous copy and is copied back.
void through_contiguous(std::vector<torch::Tensor>& tensors, const std::function<void(std::vector<torch::Tensor>&)>& op) {
  std::vector<torch::Tensor> dense;
  for (auto& t : tensors) dense.push_back(t.contiguous());
  op(dense);
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!dense[i].is_same(tensors[i])) tensors[i].copy_(dense[i]);
}

}  // namespace

void broadcast_from_main(Communicator& communicator, torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> tensors;
  for (auto& p : model.parameters()) tensors.push_back(p);
  for (auto& b : model.buffers()) tensors.push_back(b);
  through_contiguous(tensors, [&](std::vector<torch::Tensor>& t) { communicator.broadcast_from_main(t); });
}

void average_running_statistics(Communicator& communicator, torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> stats;
  for (auto& item : model.named_buffers())
    if (ends_with(item.key(), "running_mean") || ends_with(item.key(), "running_var")) stats.push_back(item.value());
  if (stats.empty()) return;
  // One collective: the statistics back to back.
  std::vector<torch::Tensor> flat{torch::cat([&] {
    std::vector<torch::Tensor> parts;
    for (auto& s : stats) parts.push_back(s.reshape({-1}).to(torch::kFloat));
    return parts;
  }())};
  communicator.all_reduce_sum(flat);
  flat[0].div_(static_cast<double>(communicator.size()));
  int64_t offset = 0;
  for (auto& s : stats) {
    s.copy_(flat[0].narrow(0, offset, s.numel()).view(s.sizes()));
    offset += s.numel();
  }
}

}  // namespace leuko
