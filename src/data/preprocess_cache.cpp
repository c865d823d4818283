#include "data/preprocess_cache.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/content_hash.h"
#include "data/image_decode.h"

namespace leuko {
namespace fs = std::filesystem;

std::string default_cache_dir() {
  if (const char* env = std::getenv("LEUKOSCOPE_CACHE"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/leukoscope";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/leukoscope";
  return ".leukoscope-cache";
}

PreprocessCache::PreprocessCache(std::string dir, PreprocessConfig config)
    : dir_(std::move(dir)), config_(std::move(config)), config_key_(config_.key()) {
  config_.validate();
  quiet_opencv_logging();  // a torn entry is recomputed without OpenCV's warning on stderr
}

static std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open image");
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

cv::Mat PreprocessCache::load(const std::string& path) {
  std::vector<uint8_t> bytes = read_bytes(path);
  std::string entry;
  if (!dir_.empty()) {
    // The file's bytes are hashed on every load, hits included, so the hash must cost little
    // next to decoding: XXH3 (common/content_hash.h), 20x cheaper than SHA-256.
    std::string key = content_hash(bytes.data(), bytes.size());
    key = content_hash((key + "|" + config_key_).data(), key.size() + 1 + config_key_.size());
    entry = dir_ + "/" + key.substr(0, 2) + "/" + key + ".bmp";
    if (fs::exists(entry)) {
      cv::Mat bgr = cv::imread(entry, cv::IMREAD_COLOR);
      if (!bgr.empty() && bgr.cols == config_.size && bgr.rows == config_.size) {
        cv::Mat rgb;
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
        ++hits_;
        return rgb;
      }
      // A damaged entry (disk full, foreign file) is recomputed and overwritten.
    }
  }
  ++misses_;
  DecodedImage decoded = decode_image_bytes(bytes);
  if (!decoded.ok()) throw UserError(path + ": " + decoded.error);
  cv::Mat out = preprocess(decoded.rgb, config_);
  if (!entry.empty()) {
    cv::Mat bgr;
    cv::cvtColor(out, bgr, cv::COLOR_RGB2BGR);
    // Uncompressed (BMP): writing it is a copy, where PNG's deflate made the epoch that fills
    // the cache slower than one without it, and reading it back is a copy instead of an inflate.
    // The price is disk: 3 bytes a pixel (49 KB an entry at 128 px, 150 KB at 224 px).
    std::vector<uint8_t> encoded;
    cv::imencode(".bmp", bgr, encoded);
    try {
      write_file_atomically(entry, std::string(encoded.begin(), encoded.end()), Durability::Scratch);
    } catch (const UserError&) {
      // A read-only or full cache only costs speed, never the run.
    }
  }
  return out;
}

}  // namespace leuko
