// Randomised robustness of the parsers that read untrusted bytes: the image decoder (with our
// own BMP/JPEG checks in front of OpenCV) and the CSV reader. Thousands of truncations and byte
// flips of real files: each must come back as a decoded image or a reason / UserError, never a
// crash, hang or out-of-bounds read (run under ASan/valgrind to see the last).
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/error.h"
#include "common/test_paths.h"
#include "data/csv.h"
#include "data/image_decode.h"

namespace leuko {
namespace {

std::vector<uint8_t> encode(const cv::Mat& bgr, const char* ext) {
  std::vector<uint8_t> out;
  cv::imencode(ext, bgr, out);
  return out;
}

std::vector<uint8_t> mutate(const std::vector<uint8_t>& seed, std::mt19937_64& rng) {
  std::vector<uint8_t> b = seed;
  switch (rng() % 4) {
    case 0: b.resize(rng() % (b.size() + 1)); break;  // truncate anywhere
    case 1:
      for (int i = 0, n = 1 + static_cast<int>(rng() % 8); i < n && !b.empty(); ++i) b[rng() % b.size()] = rng();
      break;
    case 2:  // corrupt the header region, where sizes and offsets live
      for (int i = 0; i < 4 && b.size() > 64; ++i) b[rng() % 64] = rng();
      break;
    default: b.insert(b.begin() + static_cast<long>(rng() % (b.size() + 1)), rng() % 64, static_cast<uint8_t>(rng()));
  }
  return b;
}

TEST(Fuzz, ImageDecoderSurvivesMutatedRealImages) {
  quiet_opencv_logging();
  cv::Mat cell = cv::imread(test::bundled("cnmc-mini/C-NMC_Leukemia/training_data/fold_0/all/UID_1_3_1_all.bmp"));
  cv::Mat small;
  cv::resize(cell, small, cv::Size(40, 40));
  std::vector<std::vector<uint8_t>> seeds = {encode(small, ".bmp"), encode(small, ".png"), encode(small, ".jpg"),
                                             encode(small, ".tif")};
  std::mt19937_64 rng(1234);
  int decoded = 0, rejected = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    auto bytes = mutate(seeds[iter % seeds.size()], rng);
    DecodedImage img = decode_image_bytes(bytes);
    if (img.ok()) {
      ++decoded;
      ASSERT_EQ(img.rgb.type(), CV_8UC3);
      ASSERT_GT(img.rgb.rows, 0);
    } else {
      ++rejected;
      ASSERT_TRUE(img.rgb.empty());
    }
  }
  std::cout << "[ figures  ] 3000 mutated images: " << decoded << " decoded, " << rejected << " rejected\n";
  EXPECT_GT(rejected, 300);
}

TEST(Fuzz, CsvReaderOnlyEverThrowsUserError) {
  test::TempDir tmp;
  std::string seed =
      "Patient_ID,new_names,labels\r\nUID_27_25_7_all.bmp,1.bmp,1\n\"UID,\"\"x\",2.bmp,0\nUID_H1_1_1_hem.bmp,3.bmp,0\n";
  std::mt19937_64 rng(99);
  int parsed = 0, errors = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<uint8_t> b(seed.begin(), seed.end());
    b = mutate(b, rng);
    std::string path = tmp.str() + "/f.csv";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
    try {
      CsvTable t = read_csv(path);
      for (const auto& row : t.rows) ASSERT_EQ(row.size(), t.header.size());
      ++parsed;
    } catch (const UserError&) {
      ++errors;
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace leuko
