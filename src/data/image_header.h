#pragma once
// What an image file says about itself before any pixel is decoded: its format and the size it
// declares. The decoder refuses an oversized image from these few bytes (a 1 MB PNG can declare
// 32000x32000 and make the decoder ask for 3 GB), and reads PNG's declared significant bits to
// know whether 16-bit samples hold 12-bit data.
#include <cstdint>
#include <vector>

namespace leuko {

enum class ImageFormat { kUnknown, kBmp, kPng, kJpeg, kTiff };

ImageFormat sniff_image_format(const std::vector<uint8_t>& bytes);
const char* image_format_name(ImageFormat format);

struct DeclaredSize {
  uint64_t width = 0, height = 0;
  bool known = false;  // false when the header is too short or the format is not parsed here
};

// From the PNG IHDR chunk, the BMP info header (every variant), the JPEG start-of-frame marker
// or TIFF's first directory. Never reads past `bytes`.
DeclaredSize declared_size(const std::vector<uint8_t>& bytes);

// PNG only: the largest significant-bit count its sBIT chunk declares for a colour or grey
// channel, or 0 when there is none (or the file is not a PNG).
int png_significant_bits(const std::vector<uint8_t>& bytes);

}  // namespace leuko
