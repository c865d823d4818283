// Every decoder path on real pixels, and every kind of bad file a user's folder may hold.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/test_paths.h"
#include "data/image_decode.h"
#include "data/layouts.h"
#include "data/scan.h"

namespace leuko {
namespace {
namespace fs = std::filesystem;

const std::string kCell = "cnmc-mini/C-NMC_Leukemia/training_data/fold_0/hem/UID_H6_14_1_hem.bmp";
const std::string kField = "aria-mini/Pro/WBC-Malignant-Pro-001.jpg";

std::vector<uint8_t> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void put(std::vector<uint8_t>& b, size_t at, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

TEST(Decode, RealCnmcBmpWith54ByteHeader) {
  DecodedImage img = decode_image_file(test::bundled(kCell));
  ASSERT_TRUE(img.ok()) << img.error;
  EXPECT_EQ(img.rgb.type(), CV_8UC3);
  EXPECT_EQ(img.rgb.cols, 450);
  // OpenCV loads BGR; the decoder must hand out RGB.
  cv::Mat bgr = cv::imread(test::bundled(kCell));
  cv::Vec3b a = img.rgb.at<cv::Vec3b>(225, 225), b = bgr.at<cv::Vec3b>(225, 225);
  EXPECT_EQ(a[0], b[2]);
  EXPECT_EQ(a[2], b[0]);
}

TEST(Decode, BmpWithV5HeaderLikeTheValidationSet) {
  // The real validation BMPs carry a 124-byte BITMAPV5HEADER (138-byte offset): rebuild the cell
  // with one and check the pixels survive unchanged.
  auto v3 = bytes_of(test::bundled(kCell));
  uint32_t offset = v3[10] | (v3[11] << 8);
  ASSERT_EQ(offset, 54u);
  std::vector<uint8_t> v5(138, 0);
  v5[0] = 'B';
  v5[1] = 'M';
  put(v5, 2, static_cast<uint32_t>(138 + v3.size() - 54), 4);
  put(v5, 10, 138, 4);
  put(v5, 14, 124, 4);
  std::copy(v3.begin() + 18, v3.begin() + 54, v5.begin() + 18);  // width .. colours used
  put(v5, 14 + 56, 0x73524742, 4);  // LCS_sRGB
  v5.insert(v5.end(), v3.begin() + 54, v3.end());
  DecodedImage a = decode_image_bytes(v3), b = decode_image_bytes(v5);
  ASSERT_TRUE(b.ok()) << b.error;
  EXPECT_EQ(cv::norm(a.rgb, b.rgb, cv::NORM_INF), 0.0);
}

TEST(Decode, PngGreyRgbaAnd16BitBecomeRgb8) {
  test::TempDir tmp;
  cv::Mat bgr = cv::imread(test::bundled(kField));
  cv::Mat grey, bgra, deep;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  bgr.convertTo(deep, CV_16UC3, 257.0);
  cv::imwrite(tmp.str() + "/grey.png", grey);
  cv::imwrite(tmp.str() + "/rgba.png", bgra);
  cv::imwrite(tmp.str() + "/deep.png", deep);
  cv::imwrite(tmp.str() + "/field.tif", bgr);
  for (const char* name : {"grey.png", "rgba.png", "deep.png", "field.tif"}) {
    DecodedImage img = decode_image_file(tmp.str() + "/" + name);
    ASSERT_TRUE(img.ok()) << name << ": " << img.error;
    EXPECT_EQ(img.rgb.type(), CV_8UC3) << name;
    EXPECT_EQ(img.rgb.size(), bgr.size()) << name;
  }
  // 16-bit scaled back to 8 bits exactly (x*257/257)
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  EXPECT_LE(cv::norm(decode_image_file(tmp.str() + "/deep.png").rgb, rgb, cv::NORM_INF), 1.0);
  // grey replicated into three equal channels
  cv::Vec3b px = decode_image_file(tmp.str() + "/grey.png").rgb.at<cv::Vec3b>(10, 10);
  EXPECT_EQ(px[0], px[1]);
  EXPECT_EQ(px[1], px[2]);
}

TEST(Decode, BadFilesGiveReasonsNotCrashes) {
  auto bmp = bytes_of(test::bundled(kCell));
  auto jpg = bytes_of(test::bundled(kField));
  std::vector<uint8_t> png;
  cv::imencode(".png", cv::imread(test::bundled(kField)), png);
  struct Case {
    std::vector<uint8_t> bytes;
    std::string reason_part;
  };
  std::vector<Case> cases = {
      {{}, "empty"},
      {{0, 0, 0, 1, 'B', 'u', 'd', '1', 0, 0, 16, 0}, "not an image"},  // .DS_Store starts like this
      {std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o', '\n'}, "not an image"},
      {std::vector<uint8_t>(bmp.begin(), bmp.begin() + 300000), "truncated BMP"},
      {std::vector<uint8_t>(bmp.begin(), bmp.begin() + 20), "truncated BMP header"},
      {std::vector<uint8_t>(jpg.begin(), jpg.begin() + jpg.size() / 2), "truncated JPEG"},
      {std::vector<uint8_t>(png.begin(), png.begin() + png.size() / 2), "PNG"},
  };
  for (const auto& c : cases) {
    DecodedImage img = decode_image_bytes(c.bytes);
    EXPECT_FALSE(img.ok());
    EXPECT_NE(img.error.find(c.reason_part), std::string::npos) << "got: " << img.error;
    EXPECT_TRUE(img.rgb.empty());
  }
}

TEST(Decode, BadFilesInACopyOfTheSampleDataAreSkippedAndListed) {
  test::TempDir tmp;
  fs::copy(test::bundled("cnmc-mini"), tmp.path() / "cnmc", fs::copy_options::recursive);
  fs::path hem = tmp.path() / "cnmc/C-NMC_Leukemia/training_data/fold_1/hem";
  std::ofstream(hem / "UID_H99_1_1_hem.bmp").close();                               // zero bytes
  std::ofstream(hem / ".DS_Store") << std::string("\0\0\0\1Bud1", 8);                 // macOS junk
  std::ofstream(hem / "UID_H98_1_1_hem.jpg") << "this is a text file renamed .jpg\n";  // text
  auto bmp = bytes_of(test::bundled(kCell));
  std::ofstream(hem / "UID_H97_1_1_hem.bmp", std::ios::binary)
      .write(reinterpret_cast<const char*>(bmp.data()), 100000);                     // truncated
  Dataset ds = open_dataset((tmp.path() / "cnmc").string());
  size_t before = ds.samples.size();
  size_t moved = validate_samples(ds, 2);
  EXPECT_EQ(moved, 4u);
  EXPECT_EQ(ds.samples.size(), before - 4);
  EXPECT_EQ(summarise(ds).counts["train"]["hem"], 10);
  ASSERT_EQ(ds.skipped.size(), 4u);
  for (const auto& sk : ds.skipped) EXPECT_FALSE(sk.reason.empty()) << sk.path;
}

}  // namespace
}  // namespace leuko

namespace leuko {
namespace {

// A truncated PNG is named as such and never reaches libpng, whose error handler would print
// "libpng error: ..." on the stderr of a run that succeeds.
TEST(Decode, ATruncatedPngIsNamedWithoutLibpngNoise) {
  cv::Mat img = cv::imread(test::bundled("cnmc-mini/C-NMC_Leukemia/training_data/fold_0/all/UID_1_3_1_all.bmp"));
  ASSERT_FALSE(img.empty());
  std::vector<uint8_t> png;
  cv::imencode(".png", img, png);
  png.resize(png.size() / 2);
  testing::internal::CaptureStderr();
  DecodedImage d = decode_image_bytes(png);
  const std::string noise = testing::internal::GetCapturedStderr();
  EXPECT_EQ(d.error, "truncated PNG (no IEND chunk)");
  EXPECT_EQ(noise, "");
}

}  // namespace
}  // namespace leuko
