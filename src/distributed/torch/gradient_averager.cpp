#include "distributed/torch/gradient_averager.h"

#include <torch/torch.h>

#include "distributed/torch/communicator.h"

namespace leuko {

GradientAverager::GradientAverager(Communicator& communicator, std::vector<torch::Tensor> parameters,
                                   size_t bucket_bytes)
    : communicator_(communicator), parameters_(std::move(parameters)) {
  bucket_of_.assign(parameters_.size(), 0);
  offset_of_.assign(parameters_.size(), 0);
  arrived_.assign(parameters_.size(), false);
  // Reverse registration order: the last layers' gradients come first out of backward.
  std::vector<std::vector<size_t>> groups(1);
  size_t bytes = 0;
  for (size_t k = parameters_.size(); k-- > 0;) {
    if (!parameters_[k].requires_grad()) continue;
    const size_t size = static_cast<size_t>(parameters_[k].numel()) * sizeof(float);
    if (!groups.back().empty() && bytes + size > bucket_bytes) {
      groups.emplace_back();
      bytes = 0;
    }
    groups.back().push_back(k);
    bytes += size;
  }
  for (auto& members : groups) {
    if (members.empty()) continue;
    Bucket b;
    int64_t elements = 0;
    for (size_t k : members) {
      bucket_of_[k] = buckets_.size();
      offset_of_[k] = static_cast<size_t>(elements);
      b.offsets.push_back(elements);
      elements += parameters_[k].numel();
    }
    b.members = members;
    b.flat = torch::zeros({elements}, parameters_[members.front()].options().dtype(torch::kFloat));
    buckets_.push_back(std::move(b));
  }
  for (size_t k = 0; k < parameters_.size(); ++k) {
    if (!parameters_[k].requires_grad()) continue;
    hooks_.push_back(parameters_[k].register_hook([this, k](torch::Tensor grad) { on_gradient(k, grad); }));
  }
}

GradientAverager::~GradientAverager() {
  size_t h = 0;
  for (auto& p : parameters_)
    if (p.requires_grad() && h < hooks_.size()) p.remove_hook(hooks_[h++]);
}

void GradientAverager::begin_step() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& b : buckets_) {
    b.arrived = 0;
    b.pending.reset();
  }
  std::fill(arrived_.begin(), arrived_.end(), false);
  next_launch_ = 0;
}

void GradientAverager::on_gradient(size_t k, const torch::Tensor& grad) {
  std::lock_guard<std::mutex> lock(mutex_);
  // The three models use every parameter once per forward, so its hook sees its whole gradient.
  if (arrived_[k]) return;
  Bucket& b = buckets_[bucket_of_[k]];
  torch::NoGradGuard no_grad;
  b.flat.narrow(0, static_cast<int64_t>(offset_of_[k]), grad.numel()).copy_(grad.reshape({-1}));
  arrived_[k] = true;
  if (++b.arrived == b.members.size()) launch_ready_buckets();
}

void GradientAverager::launch_ready_buckets() {
  while (next_launch_ < buckets_.size() && buckets_[next_launch_].arrived == buckets_[next_launch_].members.size()) {
    Bucket& b = buckets_[next_launch_++];
    b.pending = communicator_.launch_all_reduce_sum(b.flat);
  }
}

void GradientAverager::finish_step() {
  torch::NoGradGuard no_grad;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& b : buckets_) {
      if (b.arrived == b.members.size()) continue;
      for (size_t m = 0; m < b.members.size(); ++m) {
        const size_t k = b.members[m];
        if (arrived_[k]) continue;
        auto slice = b.flat.narrow(0, b.offsets[m], parameters_[k].numel());
        const auto& g = parameters_[k].grad();
        // No hook fired: a parameter outside this step's graph (zero) or one whose gradient was
        // accumulated from several uses (the final sum is in .grad).
        if (g.defined()) slice.copy_(g.reshape({-1}));
        else slice.zero_();
        arrived_[k] = true;
      }
      b.arrived = b.members.size();
    }
    launch_ready_buckets();
  }
  const double world = static_cast<double>(communicator_.size());
  for (auto& b : buckets_) {
    b.pending->wait();
    b.pending.reset();
    b.flat.div_(world);
    for (size_t m = 0; m < b.members.size(); ++m) {
      auto& p = parameters_[b.members[m]];
      auto averaged = b.flat.narrow(0, b.offsets[m], p.numel()).view(p.sizes());
      if (p.grad().defined()) p.mutable_grad().copy_(averaged);
      else p.mutable_grad() = averaged.clone().contiguous(p.suggest_memory_format());
    }
  }
}

}  // namespace leuko
