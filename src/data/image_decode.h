#pragma once
// Decoding any image a user's dataset may hold into 8-bit RGB. BMP (every header variant: the
// C-NMC training, validation and final-test files all differ), PNG, JPEG and TIFF; grayscale,
// gray+alpha and RGBA become RGB; 16-bit and float images are scaled to 8 bits.
// A file that cannot be used yields a reason, never an exception or a half-decoded picture:
// only ordinary files are read (never a FIFO, device or folder), and an image whose header
// declares more than max_image_pixels() is refused before decoding.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace leuko {

struct DecodedImage {
  cv::Mat rgb;         // CV_8UC3, RGB order; empty on failure
  std::string error;   // why the file was rejected; empty on success
  std::string note;    // something done to a usable image the user should hear of; usually empty
  bool ok() const { return error.empty(); }
};

// The largest image decoded, in pixels. A 1 MB PNG can declare 32000x32000 and make the decoder
// allocate 3 GB; such a file is refused from its header with a reason naming this limit. The
// supported datasets' images are at most 600x600 (C-NMC's final-test cells); 100 MP (~300 MB
// decoded) leaves room for whole smear fields and tiles. Process-wide; raise it for larger images.
inline constexpr uint64_t kDefaultMaxImagePixels = 100'000'000;
void set_max_image_pixels(uint64_t pixels);
uint64_t max_image_pixels();

// A 16-bit image whose every sample is at most this holds 12-bit camera data (the common
// microscope sensor depth), so it is scaled by 255/4095 rather than 255/65535 -- otherwise it
// comes out ~16x too dark. A PNG's sBIT chunk, when present, states the depth instead.
inline constexpr int kTwelveBitMax = 4095;

DecodedImage decode_image_file(const std::string& path);
DecodedImage decode_image_bytes(const std::vector<uint8_t>& bytes);

// Extensions the scanners consider image candidates (case-insensitive). Other files are ignored
// silently, except inside class folders where a non-image name is reported as skipped.
bool has_image_extension(const std::string& path);

// Silences OpenCV's own stderr warnings for corrupt files: our reasons replace them.
void quiet_opencv_logging();

}  // namespace leuko
