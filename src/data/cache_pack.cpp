#include "data/cache_pack.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

// Header-only: the hash compiles into this file, nothing to link (cmake/Findxxhash.cmake).
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace leuko {

namespace {

constexpr char kMagic[4] = {'L', 'K', 'P', 'E'};

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_le(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

bool is_hex_key(const uint8_t* p) {
  for (int i = 0; i < 32; ++i) {
    const uint8_t c = p[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Reads exactly `size` bytes at `offset`; false on a short read or an error.
bool read_exactly(int fd, uint64_t offset, void* buffer, size_t size) {
  auto* p = static_cast<uint8_t*>(buffer);
  while (size > 0) {
    const ssize_t n = ::pread(fd, p, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    offset += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
  return true;
}

// The header at `p` describes an image_size² record; returns its payload size, or 0 if not.
uint64_t payload_bytes(const uint8_t* p, int image_size) {
  if (std::memcmp(p, kMagic, 4) != 0 || !is_hex_key(p + 4)) return 0;
  const uint64_t rows = get_le(p + 36, 4), cols = get_le(p + 40, 4), bytes = get_le(p + 44, 8);
  const uint64_t side = static_cast<uint64_t>(image_size);
  if (image_size <= 0 || rows != side || cols != side || bytes != side * side * 3) return 0;
  return bytes;
}

}  // namespace

PackScan scan_pack(int fd, uint64_t file_size, int image_size, uint64_t from) {
  PackScan scan;
  uint8_t header[kPackHeaderBytes];
  uint64_t at = from;
  if (from > file_size) {  // cut shorter since (by hand): what was indexed fails its reads
    scan.valid_end = from;
    return scan;
  }
  while (file_size - at >= kPackHeaderBytes) {
    if (!read_exactly(fd, at, header, sizeof header)) break;
    const uint64_t bytes = payload_bytes(header, image_size);
    if (bytes == 0) break;
    const uint64_t record = kPackHeaderBytes + bytes + kPackChecksumBytes;
    if (record > file_size - at) break;  // a torn tail: the writer died mid-record
    scan.slots.push_back({std::string(reinterpret_cast<const char*>(header + 4), 32), at});
    at += record;
  }
  scan.valid_end = at;
  return scan;
}

cv::Mat read_pack_record(int fd, uint64_t offset, const std::string& key, int image_size) {
  if (image_size <= 0 || key.size() != 32) return {};
  const uint64_t payload = static_cast<uint64_t>(image_size) * static_cast<uint64_t>(image_size) * 3;
  std::vector<uint8_t> record(kPackHeaderBytes + payload + kPackChecksumBytes);
  if (!read_exactly(fd, offset, record.data(), record.size())) return {};
  if (payload_bytes(record.data(), image_size) != payload) return {};
  if (std::memcmp(record.data() + 4, key.data(), 32) != 0) return {};
  const size_t summed = kPackHeaderBytes + payload;
  if (XXH3_64bits(record.data(), summed) != get_le(record.data() + summed, 8)) return {};
  cv::Mat rgb(image_size, image_size, CV_8UC3);
  std::memcpy(rgb.data, record.data() + kPackHeaderBytes, payload);
  return rgb;
}

std::string encode_pack_record(const std::string& key, const cv::Mat& rgb) {
  if (key.size() != 32 || !is_hex_key(reinterpret_cast<const uint8_t*>(key.data())))
    throw std::invalid_argument("encode_pack_record: the key is not 32 lowercase hex digits");
  if (rgb.type() != CV_8UC3 || rgb.empty())
    throw std::invalid_argument("encode_pack_record: the image is not 8-bit RGB");
  const cv::Mat pixels = rgb.isContinuous() ? rgb : rgb.clone();
  const uint64_t payload = pixels.total() * 3;
  std::string out;
  out.reserve(kPackHeaderBytes + payload + kPackChecksumBytes);
  out.append(kMagic, 4);
  out += key;
  put_u32(out, static_cast<uint32_t>(pixels.rows));
  put_u32(out, static_cast<uint32_t>(pixels.cols));
  put_u64(out, payload);
  out.append(reinterpret_cast<const char*>(pixels.data), payload);
  put_u64(out, XXH3_64bits(out.data(), out.size()));
  return out;
}

}  // namespace leuko
