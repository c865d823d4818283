#include "data/torch/batch_loader.h"

#include <algorithm>
#include <random>

#include <opencv2/core.hpp>

#include "data/distort.h"
#include "data/preprocess.h"
#include <torch/torch.h>

namespace leuko {

// SplitMix64: decorrelates the per-sample seeds built from (seed, epoch, position).
static uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

BatchLoader::BatchLoader(std::vector<Sample> samples, LoaderOptions options)
    : samples_(std::move(samples)), options_(std::move(options)) {
  if (options_.batch_size < 1) throw UserError("batch size must be at least 1");
  if (samples_.empty()) throw UserError("no images to load");
  cache_ = std::make_unique<PreprocessCache>(options_.cache_dir, options_.preprocess);
  // Parallelism comes from the loader's own threads; OpenCV's pool on top would oversubscribe.
  cv::setNumThreads(1);
}

BatchLoader::~BatchLoader() { stop_workers(); }

size_t BatchLoader::batches_per_epoch() const {
  const size_t n = samples_.size(), b = static_cast<size_t>(options_.batch_size);
  const size_t ranks = static_cast<size_t>(options_.shard_count), rank = static_cast<size_t>(options_.shard_rank);
  if (options_.drop_last) return n / (b * ranks);
  const size_t all = (n + b - 1) / b;
  return all > rank ? (all - rank + ranks - 1) / ranks : 0;
}

void BatchLoader::set_shard(int rank, int count) {
  if (count < 1 || rank < 0 || rank >= count) throw std::logic_error("BatchLoader::set_shard: rank outside the world");
  stop_workers();
  options_.shard_rank = rank;
  options_.shard_count = count;
}

std::pair<size_t, size_t> BatchLoader::batch_positions(size_t batch_index) const {
  const size_t b = static_cast<size_t>(options_.batch_size);
  const size_t ranks = static_cast<size_t>(options_.shard_count), rank = static_cast<size_t>(options_.shard_rank);
  const size_t begin = (batch_index * ranks + rank) * b;
  return {begin, std::min(order_.size(), begin + b)};
}

std::vector<size_t> BatchLoader::epoch_order(int epoch) const {
  std::mt19937_64 rng(mix(options_.seed ^ mix(static_cast<uint64_t>(epoch) + 1)));
  std::vector<size_t> order(samples_.size());
  if (options_.balanced) {
    // Each draw picks a class uniformly, then an image of that class: rare classes are seen as
    // often as common ones, and the epoch keeps the dataset's length.
    std::map<int, std::vector<size_t>> by_class;
    for (size_t i = 0; i < samples_.size(); ++i) by_class[samples_[i].label].push_back(i);
    std::vector<const std::vector<size_t>*> classes;
    for (auto& [label, members] : by_class) classes.push_back(&members);
    std::uniform_int_distribution<size_t> pick_class(0, classes.size() - 1);
    for (auto& slot : order) {
      const auto& members = *classes[pick_class(rng)];
      slot = members[std::uniform_int_distribution<size_t>(0, members.size() - 1)(rng)];
    }
    return order;
  }
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (options_.shuffle) std::shuffle(order.begin(), order.end(), rng);
  return order;
}

void BatchLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  consumed_.notify_all();
  produced_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void BatchLoader::start_epoch(int epoch) {
  stop_workers();
  epoch_ = epoch;
  order_ = epoch_order(epoch);
  ready_.clear();
  next_to_build_ = next_to_return_ = 0;
  stopping_ = false;
  error_ = nullptr;
  int n = std::max(1, options_.workers);
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { worker_loop(); });
}

void BatchLoader::worker_loop() {
  const size_t total = batches_per_epoch();
  const size_t window = static_cast<size_t>(std::max(1, options_.prefetch_batches));
  while (true) {
    size_t index;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      consumed_.wait(lock, [&] { return stopping_ || next_to_build_ >= total || next_to_build_ < next_to_return_ + window; });
      if (stopping_ || next_to_build_ >= total) return;
      index = next_to_build_++;
    }
    try {
      Batch batch = build_batch(index);
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.emplace(index, std::move(batch));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
      stopping_ = true;
    }
    produced_.notify_all();
  }
}

Batch BatchLoader::build_batch(size_t batch_index) {
  const auto [begin, end] = batch_positions(batch_index);
  const int64_t count = static_cast<int64_t>(end - begin), s = options_.preprocess.size;
  Batch batch;
  batch.images = torch::empty({count, 3, s, s}, torch::kFloat32);
  batch.labels = torch::empty({count}, torch::kInt64);
  auto labels = batch.labels.accessor<int64_t, 1>();
  for (size_t k = begin; k < end; ++k) {
    size_t idx = order_[k];
    const Sample& sample = samples_[idx];
    cv::Mat img;
    try {
      img = cache_->load(sample.path);
    } catch (const UserError& e) {
      if (!options_.skip_unreadable) throw;
      std::string reason = e.what();
      if (reason.rfind(sample.path + ": ", 0) == 0) reason = reason.substr(sample.path.size() + 2);
      batch.unreadable.push_back({sample.path, reason});
      continue;
    }
    std::mt19937_64 rng(mix(options_.seed ^ mix((static_cast<uint64_t>(epoch_) << 32) + k)));
    if (options_.augment) img = augment(img, options_.augmentation, rng);
    if (options_.train_distortion_p > 0)
      img = random_distortion(img, options_.train_distortion_families, options_.train_distortion_p,
                              options_.train_distortion_max_severity, rng);
    // The sweep's noise depends on the image, not on its position: every model sees the same
    // distorted test set.
    if (!options_.eval_distortion.empty())
      img = distort(img, options_.eval_distortion, options_.eval_severity, mix(options_.seed + idx));
    if (options_.test_time_denoise != Denoise::None) img = denoise(img, options_.test_time_denoise);
    const int64_t row = static_cast<int64_t>(batch.sample_index.size());
    rgb_to_normalised_chw(img, options_.normalisation, batch.images[row]);
    labels[row] = sample.label;
    batch.sample_index.push_back(idx);
  }
  const int64_t rows = static_cast<int64_t>(batch.sample_index.size());
  if (rows < count) {
    batch.images = batch.images.narrow(0, 0, rows);
    batch.labels = batch.labels.narrow(0, 0, rows);
  }
  if (options_.channels_last) batch.images = batch.images.contiguous(at::MemoryFormat::ChannelsLast);
  if (options_.pin_memory) {
    batch.images = batch.images.pin_memory();
    batch.labels = batch.labels.pin_memory();
  }
  return batch;
}

std::optional<Batch> BatchLoader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (next_to_return_ >= batches_per_epoch()) return std::nullopt;
  if (workers_.empty()) throw std::logic_error("BatchLoader::next() before start_epoch()");
  produced_.wait(lock, [&] { return error_ || ready_.count(next_to_return_); });
  if (error_) std::rethrow_exception(error_);
  Batch batch = std::move(ready_.at(next_to_return_));
  ready_.erase(next_to_return_);
  ++next_to_return_;
  lock.unlock();
  consumed_.notify_all();
  return batch;
}

}  // namespace leuko
