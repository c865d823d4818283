#include "data/preprocess_cache.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/sha256.h"
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
    std::string content = sha256_bytes(bytes.data(), bytes.size());
    std::string key = sha256_bytes((content + "|" + config_key_).data(), content.size() + 1 + config_key_.size());
    entry = dir_ + "/" + key.substr(0, 2) + "/" + key + ".png";
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
    std::vector<uint8_t> png;
    // Level 1: C-NMC's black canvases compress well even at the fastest setting.
    cv::imencode(".png", bgr, png, {cv::IMWRITE_PNG_COMPRESSION, 1});
    try {
      write_file_atomically(entry, std::string(png.begin(), png.end()), Durability::Scratch);
    } catch (const UserError&) {
      // A read-only or full cache only costs speed, never the run.
    }
  }
  return out;
}

}  // namespace leuko
