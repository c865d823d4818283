// Decompression bombs are refused from the header with a reason naming the pixel limit, before
// any decoder allocates (issue 12, item 5); 12-bit data stored in 16-bit files keeps its
// brightness (item 13). Every bomb is a real bundled image with its header rewritten.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/test_paths.h"
#include "data/image_decode.h"
#include "data/image_header.h"
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

std::vector<uint8_t> encoded(const cv::Mat& image, const std::string& ext) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(cv::imencode(ext, image, out));
  return out;
}

void put_be32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
void put_le32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t crc32(const uint8_t* data, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A well-formed PNG chunk: length, type, data, CRC over type and data.
std::vector<uint8_t> png_chunk(const char* type, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> c(8);
  put_be32(c, 0, static_cast<uint32_t>(data.size()));
  std::copy(type, type + 4, c.begin() + 4);
  c.insert(c.end(), data.begin(), data.end());
  c.resize(c.size() + 4);
  put_be32(c, c.size() - 4, crc32(c.data() + 4, 4 + data.size()));
  return c;
}

// A real PNG whose IHDR declares width x height, with a valid CRC: what a bomb looks like.
std::vector<uint8_t> png_declaring(uint32_t width, uint32_t height) {
  auto png = encoded(cv::imread(test::bundled(kField)), ".png");
  put_be32(png, 16, width);
  put_be32(png, 20, height);
  put_be32(png, 29, crc32(png.data() + 12, 17));
  return png;
}

struct PixelLimit {  // restores the process-wide limit whatever the test does
  explicit PixelLimit(uint64_t pixels) { set_max_image_pixels(pixels); }
  ~PixelLimit() { set_max_image_pixels(kDefaultMaxImagePixels); }
};

TEST(DecodeGuards, PngBombIsRefusedFromItsHeaderNamingTheLimit) {
  ASSERT_EQ(max_image_pixels(), kDefaultMaxImagePixels);
  auto bomb = png_declaring(32000, 32000);
  DeclaredSize size = declared_size(bomb);
  ASSERT_TRUE(size.known);
  EXPECT_EQ(size.width, 32000u);
  DecodedImage img = decode_image_bytes(bomb);
  EXPECT_EQ(img.error, "image is 32000x32000 = 1024 MP, over the 100 MP limit");
  EXPECT_TRUE(img.rgb.empty());
  // libpng's own 1,000,000-pixel row limit used to answer "corrupt or truncated" here
  EXPECT_EQ(decode_image_bytes(png_declaring(100000, 100000)).error,
            "image is 100000x100000 = 10000 MP, over the 100 MP limit");
}

TEST(DecodeGuards, BmpJpegAndTiffHeadersAreCheckedToo) {
  auto bmp = bytes_of(test::bundled(kCell));
  put_le32(bmp, 18, 20000);
  put_le32(bmp, 22, static_cast<uint32_t>(-20000));  // top-down: negative height
  EXPECT_EQ(decode_image_bytes(bmp).error, "image is 20000x20000 = 400 MP, over the 100 MP limit");

  auto jpg = bytes_of(test::bundled(kField));
  DeclaredSize real = declared_size(jpg);
  ASSERT_TRUE(real.known);
  EXPECT_EQ(real.width, 224u);
  EXPECT_EQ(real.height, 224u);
  // Patch the start-of-frame marker (found by the same rule a decoder uses) to 60000x50000.
  size_t sof = 0;
  for (size_t i = 2; i + 9 < jpg.size(); i += 2 + (jpg[i + 2] << 8 | jpg[i + 3]))
    if (jpg[i + 1] == 0xC0 || jpg[i + 1] == 0xC2) {
      sof = i;
      break;
    }
  ASSERT_GT(sof, 0u);
  jpg[sof + 5] = 50000 >> 8, jpg[sof + 6] = 50000 & 0xFF;
  jpg[sof + 7] = 60000 >> 8, jpg[sof + 8] = 60000 & 0xFF;
  EXPECT_EQ(decode_image_bytes(jpg).error, "image is 60000x50000 = 3000 MP, over the 100 MP limit");

  cv::Mat field = cv::imread(test::bundled(kField));
  auto tif = encoded(field, ".tiff");
  DeclaredSize tif_size = declared_size(tif);
  ASSERT_TRUE(tif_size.known);
  EXPECT_EQ(tif_size.width, static_cast<uint64_t>(field.cols));
  PixelLimit limit(10000);  // a 224x224 field is over it
  EXPECT_EQ(decode_image_bytes(tif).error, "image is 224x224 = 0.05 MP, over the 0.01 MP limit");
}

TEST(DecodeGuards, TheLimitCanBeRaisedAndNothingEscapesTheDecoder) {
  PixelLimit limit(uint64_t{4} << 30);  // above OpenCV's own 2^30, whose refusal is an exception
  DecodedImage img;
  EXPECT_NO_THROW(img = decode_image_bytes(png_declaring(40000, 40000)));
  EXPECT_FALSE(img.ok());
  EXPECT_TRUE(img.rgb.empty());
}

TEST(DecodeGuards, TwelveBitDataInSixteenBitPngKeepsItsBrightness) {
  cv::Mat field = cv::imread(test::bundled(kField)), rgb8;
  cv::cvtColor(field, rgb8, cv::COLOR_BGR2RGB);
  cv::Mat twelve;
  field.convertTo(twelve, CV_16UC3, 16.0);  // 0..4080: a 12-bit sensor written as 16-bit PNG
  DecodedImage img = decode_image_bytes(encoded(twelve, ".png"));
  ASSERT_TRUE(img.ok()) << img.error;
  EXPECT_LE(cv::norm(img.rgb, rgb8, cv::NORM_INF), 1.0) << "12-bit data came out " << cv::mean(rgb8)[0] / cv::mean(img.rgb)[0]
                                                       << "x darker";
  EXPECT_NE(img.note.find("12-bit"), std::string::npos) << img.note;

  // Full-range 16-bit data is unchanged and gets no note.
  cv::Mat sixteen;
  field.convertTo(sixteen, CV_16UC3, 257.0);
  DecodedImage full = decode_image_bytes(encoded(sixteen, ".png"));
  EXPECT_LE(cv::norm(full.rgb, rgb8, cv::NORM_INF), 1.0);
  EXPECT_TRUE(full.note.empty());
}

TEST(DecodeGuards, PngSignificantBitsChunkStatesTheDepth) {
  cv::Mat field = cv::imread(test::bundled(kField)), rgb8, ten;
  cv::cvtColor(field, rgb8, cv::COLOR_BGR2RGB);
  field.convertTo(ten, CV_16UC3, 1023.0 / 255.0);  // 10-bit data: below 4095, but the file says 10
  auto png = encoded(ten, ".png");
  auto sbit = png_chunk("sBIT", {10, 10, 10});
  png.insert(png.begin() + 33, sbit.begin(), sbit.end());  // right after IHDR (8 + 25 bytes)
  EXPECT_EQ(png_significant_bits(png), 10);
  DecodedImage img = decode_image_bytes(png);
  ASSERT_TRUE(img.ok()) << img.error;
  EXPECT_LE(cv::norm(img.rgb, rgb8, cv::NORM_INF), 1.0);
}

TEST(DecodeGuards, ScanCountsRescaledImagesInItsNotes) {
  test::TempDir tmp;
  cv::Mat field = cv::imread(test::bundled(kField)), twelve;
  field.convertTo(twelve, CV_16UC3, 16.0);
  for (const char* cls : {"Benign", "Pro"}) {
    fs::create_directories(tmp.path() / cls);
    for (int i = 0; i < 2; ++i) cv::imwrite((tmp.path() / cls / (std::to_string(i) + ".png")).string(), twelve);
  }
  Dataset ds = open_dataset(tmp.str());
  validate_samples(ds, 2);
  ASSERT_EQ(ds.notes.size(), 1u);
  EXPECT_EQ(ds.notes[0].rfind("4 images: 16-bit image", 0), 0u) << ds.notes[0];
  EXPECT_NE(scan_to_text(ds, summarise(ds)).find("read as 12-bit data"), std::string::npos);
}

}  // namespace
}  // namespace leuko
