#pragma once
// Decoding any image a user's dataset may hold into 8-bit RGB. BMP (every header variant: the
// C-NMC training, validation and final-test files all differ), PNG, JPEG and TIFF; grayscale,
// gray+alpha and RGBA become RGB; 16-bit and float images are scaled to 8 bits.
// A file that cannot be used yields a reason, never an exception or a half-decoded picture.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace leuko {

struct DecodedImage {
  cv::Mat rgb;         // CV_8UC3, RGB order; empty on failure
  std::string error;   // why the file was rejected; empty on success
  bool ok() const { return error.empty(); }
};

DecodedImage decode_image_file(const std::string& path);
DecodedImage decode_image_bytes(const std::vector<uint8_t>& bytes);

// Extensions the scanners consider image candidates (case-insensitive). Other files are ignored
// silently, except inside class folders where a non-image name is reported as skipped.
bool has_image_extension(const std::string& path);

// Silences OpenCV's own stderr warnings for corrupt files: our reasons replace them.
void quiet_opencv_logging();

}  // namespace leuko
