// libFuzzer target: the image-decoding entry point (src/data/image_decode.cpp decode_image_bytes:
// format sniffing, the header-declared size guard of src/data/image_header.cpp, our BMP/JPEG
// truncation checks, then OpenCV's decoders and the conversion to 8-bit RGB), which every scan,
// training run and prediction calls on a user's files (decode_image_file reads the bytes first).
//
// Input: the file's bytes.
// The pixel limit is lowered from the default 100 MP to 4 MP (set_max_image_pixels, the same
// code path as the default): a mutated header may declare any size up to the limit and then be
// decoded, and 100 MP images would make each execution take seconds and ~1 GB under ASan.
// OpenCV and the codec libraries (libpng, libjpeg-turbo, libtiff) are Debian's, not
// instrumented: ASan sees their heap misuse only through its interceptors, and coverage guides
// the fuzzer through leukoscope's own code.
// Checks: never an exception (the decoder runs on worker threads); a decoded image is non-empty
// 8-bit RGB within the limit; a refused one carries a reason and no pixels.
// Seeds: fuzz/corpus/image-decode (bundled C-NMC BMPs and Aria JPEGs downscaled, re-encoded as
// PNG 8/16-bit, grey, RGBA, TIFF, BMP header variants; made by fuzz/make_image_seeds.cpp).
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "data/image_decode.h"
#include "fuzz_util.h"

using leuko::fuzz::fuzz_fail;

namespace {
constexpr uint64_t kFuzzPixelLimit = 4'000'000;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  leuko::quiet_opencv_logging();
  cv::setNumThreads(1);  // one core per fuzzer process
  leuko::set_max_image_pixels(kFuzzPixelLimit);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  leuko::DecodedImage img;
  try {
    img = leuko::decode_image_bytes(bytes);
  } catch (const std::exception& e) {
    fuzz_fail(std::string("decode_image_bytes threw: ") + e.what());
  } catch (...) {
    fuzz_fail("decode_image_bytes threw a non-std exception");
  }
  if (img.ok()) {
    FUZZ_CHECK(!img.rgb.empty());
    FUZZ_CHECK(img.rgb.type() == CV_8UC3);
    FUZZ_CHECK(img.rgb.rows > 0 && img.rgb.cols > 0);
    FUZZ_CHECK(img.rgb.total() <= kFuzzPixelLimit);
  } else {
    FUZZ_CHECK(img.rgb.empty());
    FUZZ_CHECK(img.error.find('\n') == std::string::npos);
  }
  return 0;
}
