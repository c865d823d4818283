// Writes the seed corpus of fuzz_image_decode (fuzz/corpus/image-decode): real bundled cells,
// downscaled to 32x32 so each execution is fast, in every container and pixel format the decoder
// meets in users' datasets. Not a fuzz target; built with them (target fuzz_make_image_seeds) and
// run by hand when the seeds need remaking:
//   build-fuzz/fuzz_make_image_seeds data fuzz/corpus/image-decode
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace {

std::string out_dir;

void save(const std::string& name, const std::vector<uint8_t>& bytes) {
  std::ofstream(out_dir + "/" + name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                               static_cast<std::streamsize>(bytes.size()));
  std::printf("%-28s %6zu bytes\n", name.c_str(), bytes.size());
}

std::vector<uint8_t> encode(const char* ext, const cv::Mat& m, const std::vector<int>& params = {}) {
  std::vector<uint8_t> out;
  if (!cv::imencode(ext, m, out, params)) {
    std::fprintf(stderr, "cannot encode %s\n", ext);
    std::exit(1);
  }
  return out;
}

void put_le32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// A PNG with an sBIT chunk (significant bits per channel) inserted after IHDR.
std::vector<uint8_t> with_sbit(std::vector<uint8_t> png, std::vector<uint8_t> bits) {
  std::vector<uint8_t> chunk = {0, 0, 0, static_cast<uint8_t>(bits.size()), 's', 'B', 'I', 'T'};
  chunk.insert(chunk.end(), bits.begin(), bits.end());
  uint32_t crc = crc32(chunk.data() + 4, chunk.size() - 4);
  for (int i = 3; i >= 0; --i) chunk.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  png.insert(png.begin() + 8 + 25, chunk.begin(), chunk.end());  // signature, IHDR (4+4+13+4)
  return png;
}

// The 40-byte BITMAPINFOHEADER OpenCV writes, widened to a 124-byte BITMAPV5HEADER (as some
// microscope software writes them), pixel data unchanged.
std::vector<uint8_t> bmp_v5(const std::vector<uint8_t>& bmp40) {
  std::vector<uint8_t> out(bmp40.begin(), bmp40.begin() + 54);
  uint32_t pixel_offset = 0;
  std::memcpy(&pixel_offset, bmp40.data() + 10, 4);
  out.insert(out.end(), 124 - 40, 0);
  put_le32(out, 14, 124);
  put_le32(out, 14 + 56, 0x73524742);  // bV5CSType 'sRGB', at offset 56 of the header
  out.insert(out.end(), bmp40.begin() + 54, bmp40.begin() + pixel_offset);  // palette, if any
  uint32_t new_offset = static_cast<uint32_t>(out.size());
  out.insert(out.end(), bmp40.begin() + pixel_offset, bmp40.end());
  put_le32(out, 10, new_offset);
  put_le32(out, 2, static_cast<uint32_t>(out.size()));
  return out;
}

// The same BMP stored top-down (negative height), rows reversed.
std::vector<uint8_t> bmp_top_down(const std::vector<uint8_t>& bmp) {
  std::vector<uint8_t> out = bmp;
  int32_t height = 0, width = 0;
  uint32_t offset = 0;
  uint16_t bpp = 0;
  std::memcpy(&offset, bmp.data() + 10, 4);
  std::memcpy(&width, bmp.data() + 18, 4);
  std::memcpy(&height, bmp.data() + 22, 4);
  std::memcpy(&bpp, bmp.data() + 28, 2);
  size_t stride = ((static_cast<size_t>(width) * bpp + 31) / 32) * 4;
  for (int32_t r = 0; r < height; ++r)
    std::memcpy(out.data() + offset + r * stride, bmp.data() + offset + (height - 1 - r) * stride, stride);
  put_le32(out, 22, static_cast<uint32_t>(-height));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string data = argv[1];
  out_dir = argv[2];
  cv::Mat cnmc = cv::imread(data + "/cnmc-mini/C-NMC_Leukemia/training_data/fold_0/all/UID_1_3_1_all.bmp");
  cv::Mat aria = cv::imread(data + "/aria-mini/Benign/WBC-Benign-001.jpg");
  if (cnmc.empty() || aria.empty()) {
    std::fprintf(stderr, "bundled images not found under %s\n", data.c_str());
    return 1;
  }
  cv::Mat c, a, grey, bgra, c16, grey12, cf;
  cv::resize(cnmc, c, {32, 32}, 0, 0, cv::INTER_AREA);
  cv::resize(aria, a, {32, 32}, 0, 0, cv::INTER_AREA);
  cv::cvtColor(c, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(a, bgra, cv::COLOR_BGR2BGRA);
  c.convertTo(c16, CV_16U, 257.0);
  grey.convertTo(grey12, CV_16U, 4095.0 / 255.0);  // 12-bit camera data in a 16-bit file
  c.convertTo(cf, CV_32F, 1.0 / 255.0);

  const std::vector<uint8_t> bmp = encode(".bmp", c);
  save("cnmc-cell.bmp", bmp);
  save("cnmc-cell-v5header.bmp", bmp_v5(bmp));
  save("cnmc-cell-topdown.bmp", bmp_top_down(bmp));
  save("cnmc-cell-grey8.bmp", encode(".bmp", grey));
  save("aria-cell.jpg", encode(".jpg", a, {cv::IMWRITE_JPEG_QUALITY, 90}));
  save("aria-cell-progressive.jpg", encode(".jpg", a, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  save("aria-cell-grey.jpg", encode(".jpg", grey));
  save("aria-cell.png", encode(".png", a));
  save("aria-cell-rgba.png", encode(".png", bgra));
  save("cnmc-cell-grey.png", encode(".png", grey));
  save("cnmc-cell-16bit.png", encode(".png", c16));
  save("cnmc-cell-12bit-in-16.png", encode(".png", grey12));
  save("cnmc-cell-12bit-sbit.png", with_sbit(encode(".png", grey12), {12}));
  save("cnmc-cell.tif", encode(".tif", c));
  save("cnmc-cell-16bit.tif", encode(".tif", c16));
  save("cnmc-cell-float.tif", encode(".tif", cf));
  return 0;
}
