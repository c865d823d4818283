#include "data/image_header.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace leuko {
namespace {

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) | (uint32_t(b[at + 2]) << 8) | b[at + 3];
}
uint16_t be16(const std::vector<uint8_t>& b, size_t at) { return static_cast<uint16_t>((b[at] << 8) | b[at + 1]); }
uint32_t le32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (uint32_t(b[at + 3]) << 24);
}
uint16_t le16(const std::vector<uint8_t>& b, size_t at) { return static_cast<uint16_t>(b[at] | (b[at + 1] << 8)); }

DeclaredSize png_size(const std::vector<uint8_t>& b) {
  // signature (8), then the first chunk, which must be IHDR: length (4), type (4), width, height
  if (b.size() < 24 || std::memcmp(b.data() + 12, "IHDR", 4) != 0) return {};
  return {be32(b, 16), be32(b, 20), true};
}

DeclaredSize bmp_size(const std::vector<uint8_t>& b) {
  if (b.size() < 18) return {};
  uint32_t info_size = le32(b, 14);
  if (info_size == 12) {  // OS/2 core header: unsigned 16-bit dimensions
    if (b.size() < 22) return {};
    return {le16(b, 18), le16(b, 20), true};
  }
  if (b.size() < 26) return {};
  // Signed: a negative height marks a top-down bitmap.
  int64_t width = static_cast<int32_t>(le32(b, 18)), height = static_cast<int32_t>(le32(b, 22));
  return {static_cast<uint64_t>(std::llabs(width)), static_cast<uint64_t>(std::llabs(height)), true};
}

DeclaredSize jpeg_size(const std::vector<uint8_t>& b) {
  size_t i = 2;  // after SOI
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return {};
    uint8_t marker = b[i + 1];
    if (marker == 0xFF) {  // fill byte before a marker
      ++i;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // markers without a length
      i += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return {};  // end of image / start of scan: no frame header
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
    bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) {
      if (i + 9 > b.size()) return {};
      return {be16(b, i + 7), be16(b, i + 5), true};  // precision (1), height (2), width (2)
    }
    i += 2 + be16(b, i + 2);
  }
  return {};
}

DeclaredSize tiff_size(const std::vector<uint8_t>& b) {
  if (b.size() < 8) return {};
  bool little = b[0] == 'I';
  auto u16 = [&](size_t at) { return little ? le16(b, at) : be16(b, at); };
  auto u32 = [&](size_t at) { return little ? le32(b, at) : be32(b, at); };
  uint64_t ifd = u32(4);
  if (ifd + 2 > b.size()) return {};
  uint16_t entries = u16(ifd);
  DeclaredSize size;
  bool have_width = false, have_height = false;
  for (uint16_t e = 0; e < entries; ++e) {
    uint64_t at = ifd + 2 + 12ULL * e;
    if (at + 12 > b.size()) return {};
    uint16_t tag = u16(at), type = u16(at + 2);
    if (tag != 256 && tag != 257) continue;  // ImageWidth, ImageLength
    if (type != 3 && type != 4) continue;  // SHORT or LONG; anything else is malformed
    uint64_t value = type == 3 ? u16(at + 8) : u32(at + 8);
    if (tag == 256) {
      size.width = value;
      have_width = true;
    } else {
      size.height = value;
      have_height = true;
    }
  }
  size.known = have_width && have_height;
  return size;
}

}  // namespace

ImageFormat sniff_image_format(const std::vector<uint8_t>& b) {
  auto starts = [&](std::initializer_list<uint8_t> magic) {
    return b.size() >= magic.size() && std::equal(magic.begin(), magic.end(), b.begin());
  };
  if (starts({'B', 'M'})) return ImageFormat::kBmp;
  if (starts({0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) return ImageFormat::kPng;
  if (starts({0xFF, 0xD8, 0xFF})) return ImageFormat::kJpeg;
  if (starts({'I', 'I', 42, 0}) || starts({'M', 'M', 0, 42})) return ImageFormat::kTiff;
  return ImageFormat::kUnknown;
}

const char* image_format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::kBmp: return "BMP";
    case ImageFormat::kPng: return "PNG";
    case ImageFormat::kJpeg: return "JPEG";
    case ImageFormat::kTiff: return "TIFF";
    default: return "image";
  }
}

DeclaredSize declared_size(const std::vector<uint8_t>& bytes) {
  switch (sniff_image_format(bytes)) {
    case ImageFormat::kPng: return png_size(bytes);
    case ImageFormat::kBmp: return bmp_size(bytes);
    case ImageFormat::kJpeg: return jpeg_size(bytes);
    case ImageFormat::kTiff: return tiff_size(bytes);
    default: return {};
  }
}

int png_significant_bits(const std::vector<uint8_t>& b) {
  if (sniff_image_format(b) != ImageFormat::kPng || b.size() < 26) return 0;
  const uint8_t colour_type = b[25];
  size_t at = 8;
  while (at + 8 <= b.size()) {
    uint64_t length = be32(b, at);
    const uint8_t* type = b.data() + at + 4;
    if (std::memcmp(type, "IDAT", 4) == 0 || std::memcmp(type, "IEND", 4) == 0) return 0;  // sBIT precedes IDAT
    if (std::memcmp(type, "sBIT", 4) == 0) {
      // One byte per channel; the alpha byte (grey+alpha: 2nd, RGBA: 4th) does not count.
      size_t channels = colour_type == 4 ? 1 : colour_type == 6 ? 3 : std::min<uint64_t>(length, 3);
      if (at + 8 + channels > b.size()) return 0;
      int bits = 0;
      for (size_t c = 0; c < channels; ++c) bits = std::max<int>(bits, b[at + 8 + c]);
      return bits;
    }
    at += 12 + length;  // length, type, data, CRC
  }
  return 0;
}

}  // namespace leuko
