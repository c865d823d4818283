#include "data/image_decode.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <new>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/regular_file.h"
#include "data/image_header.h"

namespace leuko {
namespace {

uint32_t le32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (uint32_t(b[at + 3]) << 24);
}
uint16_t le16(const std::vector<uint8_t>& b, size_t at) { return b[at] | (b[at + 1] << 8); }

// OpenCV decodes a truncated uncompressed BMP without complaint, filling the missing rows, so
// the header's promise is checked against the bytes actually present. Header size is read from
// the file (40, 108, 124 ...), never assumed.
std::string check_bmp(const std::vector<uint8_t>& b) {
  if (b.size() < 26) return "truncated BMP header";
  uint32_t pixel_offset = le32(b, 10);
  uint32_t info_size = le32(b, 14);
  if (info_size < 12 || 14 + static_cast<uint64_t>(info_size) > b.size())
    return "truncated BMP header";
  if (info_size == 12) return {};  // OS/2 core header: let OpenCV judge
  if (b.size() < 34) return "truncated BMP header";
  int64_t width = static_cast<int32_t>(le32(b, 18));
  int64_t height = static_cast<int32_t>(le32(b, 22));
  uint16_t bpp = le16(b, 28);
  uint32_t compression = le32(b, 30);
  if (width <= 0 || height == 0 || width > 65535 || std::llabs(height) > 65535)
    return "BMP with invalid dimensions " + std::to_string(width) + "x" + std::to_string(height);
  if (compression == 0 /* BI_RGB */ || compression == 3 /* BI_BITFIELDS */) {
    uint64_t stride = ((static_cast<uint64_t>(width) * bpp + 31) / 32) * 4;
    uint64_t need = static_cast<uint64_t>(pixel_offset) + stride * static_cast<uint64_t>(std::llabs(height));
    if (need > b.size())
      return "truncated BMP (" + std::to_string(b.size()) + " of " + std::to_string(need) + " bytes)";
  }
  return {};
}

// libjpeg "recovers" from a truncated stream by painting the rest grey; a complete JPEG ends
// with the EOI marker (possibly followed by a little padding).
std::string check_jpeg(const std::vector<uint8_t>& b) {
  size_t tail = std::min<size_t>(b.size(), 4096);
  for (size_t i = b.size() - tail; i + 1 < b.size(); ++i)
    if (b[i] == 0xFF && b[i + 1] == 0xD9) return {};
  return "truncated JPEG (no end-of-image marker)";
}

// A complete PNG ends with its IEND chunk. Checking that first keeps a truncated file from
// reaching libpng, whose error handler prints "libpng error: ..." on stderr of a run that then
// succeeds (the file is listed as skipped anyway).
std::string check_png(const std::vector<uint8_t>& b) {
  static const uint8_t kIend[] = {'I', 'E', 'N', 'D'};
  const size_t from = b.size() > 64 ? b.size() - 64 : 0;
  if (std::search(b.begin() + static_cast<long>(from), b.end(), std::begin(kIend), std::end(kIend)) == b.end())
    return "truncated PNG (no IEND chunk)";
  return "";
}

std::atomic<uint64_t> g_max_image_pixels{kDefaultMaxImagePixels};

std::string megapixels(uint64_t pixels) {
  double mp = static_cast<double>(pixels) / 1e6;
  char text[32];
  std::snprintf(text, sizeof text, mp >= 10 ? "%.0f" : "%.2g", mp);
  return text;
}

std::string over_limit(uint64_t width, uint64_t height) {
  return "image is " + std::to_string(width) + "x" + std::to_string(height) + " = " + megapixels(width * height) +
         " MP, over the " + megapixels(max_image_pixels()) + " MP limit";
}

// `significant_bits`: the depth a PNG declares for its samples (sBIT), 0 when unknown.
cv::Mat to_rgb8(const cv::Mat& raw, int significant_bits, std::string& note) {
  cv::Mat m8;
  switch (raw.depth()) {
    case CV_8U: m8 = raw; break;
    case CV_8S: raw.convertTo(m8, CV_8U, 1.0, 128.0); break;
    case CV_16U: {
      double full = 65535.0;
      if (significant_bits > 0 && significant_bits < 16) {
        full = std::ldexp(1.0, significant_bits) - 1.0;
      } else if (significant_bits == 0) {
        double lo, hi;
        cv::minMaxLoc(raw.reshape(1), &lo, &hi);
        if (hi > 0 && hi <= kTwelveBitMax) {
          full = kTwelveBitMax;
          note = "16-bit image with every value <= 4095: read as 12-bit data (scaled x16)";
        }
      }
      raw.convertTo(m8, CV_8U, 255.0 / full);
      break;
    }
    case CV_16S: raw.convertTo(m8, CV_8U, 255.0 / 65535.0, 128.0); break;
    case CV_32F:
    case CV_64F: {
      double lo, hi;
      cv::minMaxLoc(raw.reshape(1), &lo, &hi);
      // float images are conventionally in [0,1]; anything else is stretched to its range
      if (lo >= 0.0 && hi <= 1.0) raw.convertTo(m8, CV_8U, 255.0);
      else raw.convertTo(m8, CV_8U, hi > lo ? 255.0 / (hi - lo) : 1.0, hi > lo ? -lo * 255.0 / (hi - lo) : 0.0);
      break;
    }
    default: raw.convertTo(m8, CV_8U); break;
  }
  cv::Mat rgb;
  switch (m8.channels()) {
    case 1: cv::cvtColor(m8, rgb, cv::COLOR_GRAY2RGB); break;
    case 2: {
      cv::Mat gray;
      cv::extractChannel(m8, gray, 0);
      cv::cvtColor(gray, rgb, cv::COLOR_GRAY2RGB);
      break;
    }
    case 3: cv::cvtColor(m8, rgb, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(m8, rgb, cv::COLOR_BGRA2RGB); break;
    default: return {};
  }
  return rgb;
}

}  // namespace

void quiet_opencv_logging() {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
}

bool has_image_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* known[] = {".bmp", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".dib"};
  return std::any_of(std::begin(known), std::end(known), [&](const char* k) { return ext == k; });
}

void set_max_image_pixels(uint64_t pixels) { g_max_image_pixels = pixels; }
uint64_t max_image_pixels() { return g_max_image_pixels; }

namespace {

DecodedImage decode_checked(const std::vector<uint8_t>& bytes) {
  DecodedImage out;
  if (bytes.empty()) {
    out.error = "empty file (0 bytes)";
    return out;
  }
  ImageFormat format = sniff_image_format(bytes);
  if (format == ImageFormat::kUnknown) {
    out.error = "not an image (unrecognised content)";
    return out;
  }
  // Before anything else reads the dimensions: a bomb must not reach a decoder.
  DeclaredSize size = declared_size(bytes);
  if (size.known && size.width * size.height > max_image_pixels()) {
    out.error = over_limit(size.width, size.height);
    return out;
  }
  if (format == ImageFormat::kBmp) out.error = check_bmp(bytes);
  if (format == ImageFormat::kJpeg) out.error = check_jpeg(bytes);
  if (format == ImageFormat::kPng) out.error = check_png(bytes);
  if (!out.ok()) return out;
  cv::Mat raw;
  try {
    raw = cv::imdecode(bytes, cv::IMREAD_UNCHANGED | cv::IMREAD_ANYDEPTH | cv::IMREAD_ANYCOLOR);
  } catch (const cv::Exception&) {
    raw.release();
  }
  if (raw.empty() || raw.rows == 0 || raw.cols == 0) {
    out.error = std::string("corrupt or truncated ") + image_format_name(format) + " data";
    return out;
  }
  // A header this file's parser missed (a TIFF whose first directory is not the image) is
  // caught here, after decoding but before the conversions copy it.
  if (raw.total() > max_image_pixels()) {
    out.error = over_limit(static_cast<uint64_t>(raw.cols), static_cast<uint64_t>(raw.rows));
    return out;
  }
  out.rgb = to_rgb8(raw, png_significant_bits(bytes), out.note);
  if (out.rgb.empty()) out.error = "unsupported channel count " + std::to_string(raw.channels());
  return out;
}

}  // namespace

DecodedImage decode_image_bytes(const std::vector<uint8_t>& bytes) {
  // Nothing thrown by OpenCV or the allocator may escape: callers run this on worker threads,
  // where an exception ends the process.
  try {
    return decode_checked(bytes);
  } catch (const cv::Exception& e) {
    return {cv::Mat(), std::string("cannot decode (OpenCV: ") + e.err + ")", {}};
  } catch (const std::bad_alloc&) {
    return {cv::Mat(), "not enough memory to decode", {}};
  } catch (const std::exception& e) {
    return {cv::Mat(), std::string("cannot decode (") + e.what() + ")", {}};
  }
}

DecodedImage decode_image_file(const std::string& path) {
  FileBytes file = read_regular_file(path);
  if (!file.ok()) return {cv::Mat(), file.error, {}};
  return decode_image_bytes(file.bytes);
}

}  // namespace leuko
