// Writes the seed corpus of fuzz_cache_pack (fuzz/corpus/cache-pack): packs of 4 × 4 records as
// the preprocessing cache writes them (encode_pack_record), cut from a real bundled cell — whole,
// with a torn tail, with one payload bit flipped, with a header of another size in the middle.
// Not a fuzz target; built with them (target fuzz_make_pack_seeds) and run by hand when the
// record format changes:
//   build-fuzz/fuzz_make_pack_seeds data fuzz/corpus/cache-pack
#include <cstdio>
#include <fstream>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/content_hash.h"
#include "data/cache_pack.h"

namespace {

void save(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
  std::printf("%-24s %5zu bytes\n", name.c_str(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string cell = std::string(argv[1]) + "/cnmc-mini/C-NMC_Leukemia/training_data/fold_0/all/UID_1_3_1_all.bmp";
  cv::Mat bgr = cv::imread(cell, cv::IMREAD_COLOR);
  if (bgr.empty()) {
    std::fprintf(stderr, "cannot read %s\n", cell.c_str());
    return 1;
  }
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  std::string pack;
  for (int i = 0; i < 3; ++i) {
    cv::Mat small;
    cv::resize(rgb(cv::Rect(i * 100, 150, 150, 150)), small, cv::Size(4, 4), 0, 0, cv::INTER_AREA);
    const std::string name = "cell-" + std::to_string(i);
    pack += leuko::encode_pack_record(leuko::content_hash(name.data(), name.size()), small);
  }
  const std::string one = pack.substr(0, pack.size() / 3);
  save(argv[2], "three-records.pack", pack);
  save(argv[2], "torn-tail.pack", pack.substr(0, pack.size() - 20));
  std::string flipped = pack;
  flipped[one.size() + leuko::kPackHeaderBytes + 5] ^= 0x10;
  save(argv[2], "flipped-bit.pack", flipped);
  cv::Mat other(8, 8, CV_8UC3, cv::Scalar(10, 20, 30));
  save(argv[2], "other-size-inside.pack", one + leuko::encode_pack_record(std::string(32, 'f'), other) + one);
  return 0;
}
