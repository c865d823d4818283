// Data-parallel shards of the loader: what N ranks see together is what one process with N times
// the batch sees — the same images in the same order, augmented the same way — and evaluation
// shards cover every image exactly once.
#include <gtest/gtest.h>

#include <set>

#include <torch/torch.h>

#include "common/loader_epoch.h"
#include "common/test_paths.h"
#include "data/layouts.h"
#include "data/torch/batch_loader.h"

namespace leuko {
namespace {
using test::epoch;

std::vector<Sample> aria_samples() { return open_dataset(test::bundled("aria-mini")).samples; }

LoaderOptions options(int batch, bool training) {
  LoaderOptions o;
  o.batch_size = batch;
  o.preprocess.size = 40;
  o.shuffle = training;
  o.drop_last = training;
  o.augment = training;
  o.augmentation = augment_preset(AugmentLevel::Standard);
  o.seed = 23;
  o.workers = 1;
  return o;
}

TEST(LoaderShards, TwoRanksOfBatchFourTogetherAreOneProcessOfBatchEight) {
  const auto samples = aria_samples();
  BatchLoader whole(samples, options(8, true));
  auto o0 = options(4, true), o1 = options(4, true);
  o0.shard_count = o1.shard_count = 2;
  o1.shard_rank = 1;
  BatchLoader rank0(samples, o0), rank1(samples, o1);
  for (int e : {0, 3}) {
    auto w = epoch(whole, e), a = epoch(rank0, e), b = epoch(rank1, e);
    ASSERT_EQ(a.size(), w.size());
    ASSERT_EQ(b.size(), w.size());
    ASSERT_GT(w.size(), 1u);
    for (size_t k = 0; k < w.size(); ++k) {
      // The first half of each global batch is rank 0's, the second rank 1's — pixels included,
      // so the augmentation draws follow the image's position, not the rank.
      EXPECT_TRUE(torch::equal(w[k].images.narrow(0, 0, 4), a[k].images)) << "epoch " << e << " batch " << k;
      EXPECT_TRUE(torch::equal(w[k].images.narrow(0, 4, 4), b[k].images)) << "epoch " << e << " batch " << k;
      EXPECT_TRUE(torch::equal(w[k].labels, torch::cat({a[k].labels, b[k].labels})));
    }
    // The ranks never see the same image in a step, and augmentation really changed the pixels
    // between epochs (the equalities above are not of two untouched copies).
    std::set<size_t> seen(a[0].sample_index.begin(), a[0].sample_index.end());
    for (size_t i : b[0].sample_index) EXPECT_EQ(seen.count(i), 0u);
  }
  EXPECT_FALSE(torch::equal(epoch(rank0, 0)[0].images, epoch(rank0, 1)[0].images));
}

TEST(LoaderShards, EvaluationShardsCoverEveryImageOnceWithoutPadding) {
  const auto samples = aria_samples();
  ASSERT_GT(samples.size() % 7, 0u) << "the test wants a last, partial batch";
  for (int ranks : {2, 3, 5}) {
    std::vector<size_t> seen;
    size_t batches = 0;
    for (int r = 0; r < ranks; ++r) {
      auto o = options(7, false);
      o.shard_rank = r;
      o.shard_count = ranks;
      BatchLoader loader(samples, o);
      auto got = epoch(loader, 0);
      EXPECT_EQ(got.size(), loader.batches_per_epoch());
      batches += got.size();
      for (auto& b : got) seen.insert(seen.end(), b.sample_index.begin(), b.sample_index.end());
    }
    EXPECT_EQ(batches, (samples.size() + 6) / 7) << ranks << " ranks";
    std::sort(seen.begin(), seen.end());
    ASSERT_EQ(seen.size(), samples.size()) << ranks << " ranks: an image twice or missing";
    for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i);
  }
}

TEST(LoaderShards, TrainingShardsTakeOnlyWholeGlobalBatches) {
  const auto samples = aria_samples();
  auto o = options(5, true);
  o.shard_count = 3;
  o.shard_rank = 2;
  BatchLoader loader(samples, o);
  EXPECT_EQ(loader.batches_per_epoch(), samples.size() / 15);
  for (auto& b : epoch(loader, 0)) EXPECT_EQ(b.images.size(0), 5);
}

}  // namespace
}  // namespace leuko
