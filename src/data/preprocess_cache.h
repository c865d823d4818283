#pragma once
// An on-disk cache of preprocessed images, keyed by the file's content and the preprocessing
// settings: non-local-means costs ~190 ms per 450x450 cell, so each image is denoised once, and a
// changed file or setting simply misses (its old entry is never read again).
#include <atomic>
#include <string>

#include <opencv2/core/mat.hpp>

#include "data/preprocess.h"

namespace leuko {

class PreprocessCache {
 public:
  // `dir` empty disables caching (every call decodes and preprocesses).
  PreprocessCache(std::string dir, PreprocessConfig config);

  // Preprocessed RGB8 image of `path`. Throws UserError naming the file when it cannot be decoded.
  cv::Mat load(const std::string& path);

  const PreprocessConfig& config() const { return config_; }
  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }

 private:
  std::string dir_;
  PreprocessConfig config_;
  std::string config_key_;
  std::atomic<size_t> hits_{0}, misses_{0};
};

std::string default_cache_dir();

}  // namespace leuko
