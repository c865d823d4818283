// The loader's contract on real images: shapes and normalisation, the same batches for the same
// seed whatever the thread count, a new order each epoch, balanced sampling, clean errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <torch/torch.h>

#include "common/loader_epoch.h"
#include "common/error.h"
#include "common/test_paths.h"
#include "data/layouts.h"
#include "data/torch/batch_loader.h"

namespace leuko {
namespace {
using test::epoch;

std::vector<Sample> aria_samples() { return open_dataset(test::bundled("aria-mini")).samples; }

LoaderOptions small_options() {
  LoaderOptions o;
  o.batch_size = 8;
  o.preprocess.size = 48;
  o.augment = true;
  o.augmentation = augment_preset(AugmentLevel::Standard);
  o.seed = 11;
  return o;
}

TEST(Loader, BatchesHaveTheRightShapeAndNormalisation) {
  auto o = small_options();
  o.augment = false;
  BatchLoader loader(aria_samples(), o);
  auto batches = epoch(loader, 0);
  ASSERT_EQ(batches.size(), loader.batches_per_epoch());
  size_t n = 0;
  for (const auto& b : batches) {
    EXPECT_EQ(b.images.size(1), 3);
    EXPECT_EQ(b.images.size(2), 48);
    n += static_cast<size_t>(b.images.size(0));
  }
  EXPECT_EQ(n, loader.size());
  // ImageNet-normalised real fields: mean within a couple of units of zero, no NaN
  auto all = torch::cat(std::vector<at::Tensor>{batches[0].images, batches[1].images});
  EXPECT_FALSE(torch::isnan(all).any().item<bool>());
  EXPECT_LT(std::abs(all.mean().item<double>()), 2.0);
  EXPECT_GT(all.std().item<double>(), 0.1);
}

TEST(Loader, SameSeedSameBatchesWhateverTheThreadCount) {
  auto o1 = small_options();
  o1.workers = 1;
  auto o3 = small_options();
  o3.workers = 3;
  o3.prefetch_batches = 2;
  BatchLoader a(aria_samples(), o1), b(aria_samples(), o3);
  auto ea = epoch(a, 2), eb = epoch(b, 2);
  ASSERT_EQ(ea.size(), eb.size());
  for (size_t i = 0; i < ea.size(); ++i) {
    EXPECT_TRUE(torch::equal(ea[i].images, eb[i].images)) << "batch " << i;
    EXPECT_TRUE(torch::equal(ea[i].labels, eb[i].labels)) << "batch " << i;
  }
  auto next_epoch = epoch(a, 3);
  EXPECT_NE(ea[0].sample_index, next_epoch[0].sample_index);
}

TEST(Loader, BalancedSamplingEvensOutClasses) {
  // A deliberately skewed subset: every Pro image, five of each other class.
  std::vector<Sample> skewed;
  std::map<int, int> taken;
  for (const auto& s : aria_samples())
    if (s.label == 3 || taken[s.label]++ < 5) skewed.push_back(s);
  auto o = small_options();
  o.balanced = true;
  o.augment = false;
  BatchLoader loader(skewed, o);
  std::map<int, int> seen;
  for (int e = 0; e < 4; ++e)
    for (const auto& b : epoch(loader, e))
      for (int64_t i = 0; i < b.labels.size(0); ++i) seen[static_cast<int>(b.labels[i].item<int64_t>())]++;
  int total = 0;
  for (auto& [label, n] : seen) total += n;
  for (auto& [label, n] : seen) EXPECT_NEAR(n, total / 4.0, total * 0.08) << "class " << label;
}

TEST(Loader, ChannelsLastLayout) {
  auto o = small_options();
  o.channels_last = true;
  BatchLoader loader(aria_samples(), o);
  auto batches = epoch(loader, 0);
  EXPECT_TRUE(batches[0].images.is_contiguous(at::MemoryFormat::ChannelsLast));
}

TEST(Loader, AFileThatBreaksMidRunIsAnErrorNamingIt) {
  test::TempDir tmp;
  auto samples = aria_samples();
  samples.resize(16);
  std::string broken = tmp.str() + "/broken.jpg";
  std::ofstream(broken) << "not a jpeg";
  samples[5].path = broken;
  auto o = small_options();
  o.shuffle = false;
  BatchLoader loader(samples, o);
  loader.start_epoch(0);
  try {
    while (loader.next()) {
    }
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("broken.jpg"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace leuko

namespace leuko {
namespace {

TEST(Loader, EvalDistortionIsTheSameWhateverTheOrder) {
  auto o = small_options();
  o.augment = false;
  o.eval_distortion = "gaussian_noise";
  o.eval_severity = 3;
  BatchLoader a(aria_samples(), o);
  std::map<size_t, at::Tensor> first, second;
  for (const auto& b : epoch(a, 0))
    for (size_t i = 0; i < b.sample_index.size(); ++i) first[b.sample_index[i]] = b.images[static_cast<long>(i)];
  for (const auto& b : epoch(a, 1))
    for (size_t i = 0; i < b.sample_index.size(); ++i) second[b.sample_index[i]] = b.images[static_cast<long>(i)];
  for (const auto& [idx, img] : first) EXPECT_TRUE(torch::equal(img, second.at(idx))) << idx;
  // and it is a real distortion: differs from the clean image
  auto clean_o = o;
  clean_o.eval_distortion = "";
  BatchLoader clean(aria_samples(), clean_o);
  auto cb = epoch(clean, 0);
  EXPECT_FALSE(torch::equal(cb[0].images[0], first.at(cb[0].sample_index[0])));
}

TEST(Loader, TrainingDistortionAugmentationIsDeterministic) {
  auto o = small_options();
  o.train_distortion_p = 0.5;
  o.train_distortion_families = {"gaussian_noise", "jpeg", "stain"};
  BatchLoader a(aria_samples(), o), b(aria_samples(), o);
  auto ea = epoch(a, 0), eb = epoch(b, 0);
  for (size_t i = 0; i < ea.size(); ++i) EXPECT_TRUE(torch::equal(ea[i].images, eb[i].images));
}

}  // namespace
}  // namespace leuko
