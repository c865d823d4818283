// The weight average (--ema-decay): its arithmetic on a model small enough to work by hand, the
// swap that validation uses, and its round trip through a checkpoint archive.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "train/weight_average.h"

namespace leuko {
namespace {

struct Tiny : torch::nn::Module {
  torch::nn::Linear fc{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
  Tiny() {
    fc = register_module("fc", torch::nn::Linear(2, 1));
    bn = register_module("bn", torch::nn::BatchNorm1d(1));
  }
};

void fill(Tiny& m, float v) {
  torch::NoGradGuard g;
  m.fc->weight.fill_(v);
  m.fc->bias.fill_(v);
  m.bn->running_mean.fill_(v);
  m.bn->num_batches_tracked.fill_(static_cast<int64_t>(v));
}

TEST(WeightAverage, DecayWarmsUpByTheNumUpdatesRule) {
  Tiny m;
  WeightAverage avg(m, 0.999);
  EXPECT_DOUBLE_EQ(avg.decay_at(0), 0.1);
  EXPECT_DOUBLE_EQ(avg.decay_at(90), 0.91);
  EXPECT_DOUBLE_EQ(avg.decay_at(1000000), 0.999);
}

TEST(WeightAverage, AveragesFloatsCopiesCountersAndSwapsBothWays) {
  Tiny m;
  fill(m, 1);
  WeightAverage avg(m, 0.5);
  fill(m, 11);
  avg.update(m);  // decay min(0.5, 1/10) = 0.1: 0.1 * 1 + 0.9 * 11 = 10
  fill(m, 20);
  avg.update(m);  // decay min(0.5, 2/11): 2/11 * 10 + 9/11 * 20
  EXPECT_EQ(avg.updates(), 2);
  const double expected = 2.0 / 11 * 10 + 9.0 / 11 * 20;
  avg.swap_with(m);
  EXPECT_NEAR(m.fc->weight[0][1].item<double>(), expected, 1e-5);
  EXPECT_NEAR(m.bn->running_mean[0].item<double>(), expected, 1e-5);  // batch-norm statistics too
  EXPECT_EQ(m.bn->num_batches_tracked.item<int64_t>(), 20);          // a counter is copied
  avg.swap_with(m);
  EXPECT_FLOAT_EQ(m.fc->bias[0].item<float>(), 20.0f);  // the live weights are back

  // Through an archive: a fresh average of another model loads the same numbers and count.
  torch::serialize::OutputArchive out;
  avg.save(out);
  std::stringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  in.load_from(bytes);
  Tiny other;
  WeightAverage restored(other, 0.5);
  restored.load(in);
  EXPECT_EQ(restored.updates(), 2);
  restored.swap_with(other);
  EXPECT_NEAR(other.fc->bias[0].item<double>(), expected, 1e-5);
}

}  // namespace
}  // namespace leuko
