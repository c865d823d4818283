#pragma once
// A multi-threaded producer of batched float tensors with prefetch. Worker threads build whole
// batches ahead of the training step; every random choice (order, augmentation) is drawn from
// generators seeded by (seed, epoch, position), so the batches are identical for a given seed
// whatever the thread count or timing.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <ATen/core/Tensor.h>

#include "data/augment.h"
#include "data/preprocess_cache.h"
#include "data/sample.h"
#include "common/error.h"
#include "data/torch/image_tensor.h"

namespace leuko {

struct LoaderOptions {
  int batch_size = 16;
  bool shuffle = true;
  bool drop_last = false;
  bool balanced = false;      // sample classes equally (with replacement), epoch = dataset size
  bool augment = false;
  AugmentConfig augmentation;
  PreprocessConfig preprocess;
  Normalisation normalisation;
  std::string cache_dir;      // "" = no preprocessing cache
  int workers = 2;
  int prefetch_batches = 4;
  uint64_t seed = 0;
  bool channels_last = false;
  bool pin_memory = false;    // page-locked batches for asynchronous copies to a GPU (CUDA builds only)

  // Distortion augmentation (training): with probability `train_distortion_p`, one of
  // `train_distortion_families` at a random severity up to `train_distortion_max_severity`.
  double train_distortion_p = 0;
  std::vector<std::string> train_distortion_families;
  int train_distortion_max_severity = 5;

  // Fixed distortion for the robustness sweep (evaluation), then optional test-time denoising.
  std::string eval_distortion;  // "" = none
  int eval_severity = 0;
  Denoise test_time_denoise = Denoise::None;
  // Prediction on new images: a file that cannot be read or decoded is left out of its batch and
  // listed in Batch::unreadable instead of stopping the loader. Training and evaluation keep the
  // default: their images were validated when the split was made, so a failure is news.
  bool skip_unreadable = false;

  // Data parallelism: this loader is rank `shard_rank` of `shard_count`, every rank with the same
  // seed and so the same epoch order. Batch k of rank r is the epoch's batch k·count + r, so a
  // global batch is `count` consecutive per-rank batches: the ranks together see the batches of
  // one process with batch_size × count, augmented alike (the draws follow the position). With
  // drop_last (training) only whole global batches are used, so every rank takes the same number
  // of steps; without it (evaluation) every image is in exactly one rank's batches — no padding
  // duplicates as DistributedSampler adds — and each batch is the one a single process builds.
  int shard_rank = 0, shard_count = 1;
};

struct Batch {
  at::Tensor images;                // float [B,3,S,S]
  at::Tensor labels;                // int64 [B]
  std::vector<size_t> sample_index; // position in the loader's sample list
  std::vector<SkippedFile> unreadable;  // with skip_unreadable: the batch's files that failed
};

class BatchLoader {
 public:
  BatchLoader(std::vector<Sample> samples, LoaderOptions options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Starts producing the batches of `epoch`; abandons whatever the previous epoch had left.
  void start_epoch(int epoch);
  // The next batch of the current epoch, or nullopt at its end. Rethrows a worker's error
  // (e.g. a file that no longer decodes) as the UserError naming that file.
  std::optional<Batch> next();

  size_t batches_per_epoch() const;  // this shard's
  // Makes this loader rank `rank` of `count` (see LoaderOptions); takes effect at start_epoch.
  void set_shard(int rank, int count);
  int shard_rank() const { return options_.shard_rank; }
  int shard_count() const { return options_.shard_count; }
  size_t size() const { return samples_.size(); }
  const PreprocessCache& cache() const { return *cache_; }
  const std::vector<Sample>& samples() const { return samples_; }

  // The sample order of an epoch (exposed for tests and for resuming mid-epoch).
  std::vector<size_t> epoch_order(int epoch) const;

 private:
  void stop_workers();
  void worker_loop();
  Batch build_batch(size_t batch_index);
  std::pair<size_t, size_t> batch_positions(size_t batch_index) const;  // [begin, end) in the epoch order

  std::vector<Sample> samples_;
  LoaderOptions options_;
  std::unique_ptr<PreprocessCache> cache_;

  int epoch_ = 0;
  std::vector<size_t> order_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable produced_, consumed_;
  std::map<size_t, Batch> ready_;
  size_t next_to_build_ = 0;
  size_t next_to_return_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace leuko
