#pragma once
// The data-parallel step's one collective: after backward every rank holds the mean of all
// ranks' gradients, as DistributedDataParallel leaves them. Parameters are grouped into buckets
// of about 25 MB in reverse registration order — the order backward produces their gradients —
// and a bucket's all-reduce is launched from a gradient hook as soon as its last gradient
// arrives, so communication overlaps the rest of backward. Buckets are launched strictly in
// index order, which keeps every rank's collectives in the same sequence.
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include <torch/types.h>

namespace leuko {

class Communicator;
class PendingCollective;

class GradientAverager {
 public:
  static constexpr size_t kDefaultBucketBytes = 25u << 20;

  GradientAverager(Communicator& communicator, std::vector<torch::Tensor> parameters,
                   size_t bucket_bytes = kDefaultBucketBytes);
  ~GradientAverager();
  GradientAverager(const GradientAverager&) = delete;
  GradientAverager& operator=(const GradientAverager&) = delete;

  // Before backward: forget the previous step's buckets.
  void begin_step();
  // After backward: launches the buckets still open (a parameter without a gradient counts as
  // zero), waits for all, and writes each parameter's averaged gradient into its .grad.
  void finish_step();

  size_t bucket_count() const { return buckets_.size(); }

 private:
  struct Bucket {
    torch::Tensor flat;                // fp32, every member's gradient back to back
    std::vector<size_t> members;       // parameter indices
    std::vector<int64_t> offsets;      // element offset of each member in `flat`
    size_t arrived = 0;
    std::unique_ptr<PendingCollective> pending;
  };
  void on_gradient(size_t parameter, const torch::Tensor& grad);
  void launch_ready_buckets();  // with mutex_ held

  Communicator& communicator_;
  std::vector<torch::Tensor> parameters_;
  std::vector<unsigned> hooks_;
  std::vector<size_t> bucket_of_, offset_of_;
  std::vector<bool> arrived_;
  std::vector<Bucket> buckets_;
  size_t next_launch_ = 0;
  std::mutex mutex_;  // gradient hooks of a CUDA backward run on autograd's device threads
};

}  // namespace leuko
