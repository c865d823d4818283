// Synchronised batch norm against LibTorch's own: in a world of one rank the statistics over
// "every rank's batch" are this batch's, so output, input/weight/bias gradients and running
// statistics must equal torch::nn::BatchNorm2d's.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "distributed/torch/communicator.h"
#include "distributed/torch/sync_batch_norm.h"
#include "models/conv_bn_fusion.h"

namespace leuko {
namespace {

struct Outcome {
  torch::Tensor y, dx, dw, db, mean, var;
};

Outcome run(const torch::Tensor& input, const torch::Tensor& upstream, bool synchronised, Communicator* comm) {
  torch::manual_seed(1);
  auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 5, 3).padding(1).bias(false));
  auto bn = torch::nn::BatchNorm2d(5);
  {
    torch::NoGradGuard no_grad;
    bn->weight.uniform_(0.5, 1.5);
    bn->bias.uniform_(-0.5, 0.5);
  }
  synchronise_batch_norm(synchronised ? comm : nullptr);
  auto x = input.clone().requires_grad_(true);
  auto y = conv_bn(conv, bn, FusedConv{}, x);
  (y * upstream).sum().backward();
  synchronise_batch_norm(nullptr);
  return {y.detach(), x.grad(), bn->weight.grad(), bn->bias.grad(), bn->running_mean.clone(), bn->running_var.clone()};
}

TEST(SyncBatchNorm, InAWorldOfOneItIsBatchNorm) {
  World world;
  world.size = 1;
  world.master_port = 29000 + static_cast<int>(getpid() % 2000);
  auto comm = Communicator::join(world, DistBackend::Gloo, std::chrono::seconds(20), torch::kCPU);
  torch::manual_seed(7);
  auto input = torch::randn({6, 3, 9, 9}) * 2 + 0.5, upstream = torch::randn({6, 5, 9, 9});
  const Outcome native = run(input, upstream, false, comm.get()), synced = run(input, upstream, true, comm.get());
  EXPECT_TRUE(torch::allclose(native.y, synced.y, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(native.dx, synced.dx, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(native.dw, synced.dw, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(native.db, synced.db, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(native.mean, synced.mean, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(native.var, synced.var, 1e-5, 1e-6));
  // The statistics moved: the comparison is not of two untouched buffers.
  EXPECT_GT((native.var - 1).abs().max().item<double>(), 0.05);
}

}  // namespace
}  // namespace leuko
