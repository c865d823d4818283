#pragma once
// An on-disk cache of preprocessed images, keyed by the file's content and the preprocessing
// settings: non-local-means costs ~190 ms per 450x450 cell, so each image is denoised once, and a
// changed file or setting simply misses (its old entry is never read again).
//
// Entries live in pack files (data/cache_pack.h), one folder per settings:
// DIR/settings-<16 hex digits>/*.pack. Each cache object appends its new entries to one pack it
// holds an exclusive flock(2) on — a pack left by an earlier run when one is free, else a new one —
// so two processes (distributed ranks, a study beside a predict) never write the same file, and
// sequential runs keep adding to the same few packs instead of making one file per image. What
// other processes store while this one runs is found by a rescan on a miss (at most once a
// second): ranks that each filled their shard of an epoch read each other's entries in the next.
// Loads are thread-safe (the loader's threads share one cache).
#include <atomic>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "data/preprocess.h"

namespace leuko {

class PreprocessCache {
 public:
  // `dir` empty disables caching (every call decodes and preprocesses).
  PreprocessCache(std::string dir, PreprocessConfig config);
  ~PreprocessCache();
  PreprocessCache(const PreprocessCache&) = delete;
  PreprocessCache& operator=(const PreprocessCache&) = delete;

  // Preprocessed RGB8 image of `path`. Throws UserError naming the file when it cannot be decoded.
  cv::Mat load(const std::string& path);

  const PreprocessConfig& config() const { return config_; }
  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  // The folder this cache's settings keep their packs in ("" when caching is off).
  const std::string& settings_dir() const { return settings_dir_; }

 private:
  struct Location {
    size_t pack = 0;  // index into packs_
    uint64_t offset = 0;
  };
  struct Pack {
    std::string path;
    int fd = -1;               // read descriptor
    uint64_t scanned_end = 0;  // how far its records are indexed
  };
  bool find(const std::string& key, int& fd, uint64_t& offset);
  void refresh();      // indexes what other processes added since the last scan
  bool open_writer();  // called with write_mutex_ held
  void store(const std::string& key, const cv::Mat& rgb);

  std::string dir_, settings_dir_;
  PreprocessConfig config_;
  std::string config_key_;
  std::atomic<size_t> hits_{0}, misses_{0};

  std::shared_mutex index_mutex_;  // guards packs_ and index_
  std::vector<Pack> packs_;
  std::unordered_map<std::string, Location> index_;
  std::mutex refresh_mutex_;
  std::atomic<int64_t> last_refresh_ms_{0};

  std::mutex write_mutex_;  // guards the writer below
  int writer_fd_ = -1;      // the pack this object appends to, flock'ed exclusively
  size_t writer_pack_ = SIZE_MAX;
  uint64_t writer_end_ = 0;
  bool writing_failed_ = false;  // a read-only or full cache only costs speed: stop trying
};

std::string default_cache_dir();

}  // namespace leuko
