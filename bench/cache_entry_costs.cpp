// What the preprocessing cache adds to an image's trip through the loader, stage by stage, on
// one thread (bench/RESULTS.md, "The first epoch and the preprocessing cache"). For N real
// images: read the file; decode and preprocess it (what an epoch without the cache does); hash
// its bytes for the key (SHA-256, the old key, and XXH3-128, the new); encode the 128 px result as
// an entry (PNG level 1, the old format, and BMP, the new); write it (atomic, no fsync: both
// formats); read the entry back and decode it (what a cached epoch does instead of decoding
// the source). Prints one JSON line of milliseconds per image, medians over the repetitions.
//
//   build/bench_cache_entry_costs [DIR] [N] [REPEATS]   (default: C-NMC fold 0 ALL cells, 300, 3)
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/atomic_file.h"
#include "common/content_hash.h"
#include "common/remove_tree.h"
#include "common/sha256.h"
#include "data/image_decode.h"
#include "data/preprocess.h"

namespace fs = std::filesystem;
using namespace leuko;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const std::string dir =
      argc > 1 ? argv[1] : "../shared/data/cnmc-fold0/C-NMC_Leukemia/training_data/fold_0/all";
  const size_t n = argc > 2 ? std::stoul(argv[2]) : 300;
  const int repeats = argc > 3 ? std::stoi(argv[3]) : 3;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  if (files.size() > n) files.resize(n);
  if (files.empty()) {
    std::cerr << "error: " << dir << ": no images\n";
    return 1;
  }
  PreprocessConfig config;  // as the first-epoch benchmark trains: crop to the cell, 128 px
  config.crop_to_cell = true;
  config.size = 128;
  const std::string out = (fs::temp_directory_path() / "leuko_cache_entry_costs").string();

  std::map<std::string, std::vector<double>> per_image_ms;
  std::map<std::string, double> entry_bytes;
  for (int r = 0; r < repeats; ++r) {
    remove_tree(out);
    fs::create_directories(out);
    std::map<std::string, double> total;
    auto timed = [&total](const std::string& stage, auto&& body) {
      auto t0 = Clock::now();
      body();
      total[stage] += std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    };
    size_t sink = 0;
    for (size_t i = 0; i < files.size(); ++i) {
      std::string bytes;
      timed("read source", [&] { bytes = read_file_to_string(files[i]); });
      cv::Mat rgb;
      timed("decode + preprocess", [&] {
        DecodedImage d = decode_image_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()));
        rgb = preprocess(d.rgb, config);
      });
      timed("key: sha256", [&] { sink += sha256_bytes(bytes.data(), bytes.size()).size(); });
      timed("key: xxh3-128", [&] { sink += content_hash(bytes.data(), bytes.size()).size(); });
      cv::Mat bgr;
      cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
      for (const char* format : {"png", "bmp"}) {
        std::vector<uint8_t> encoded;
        const std::string f = format;
        timed("encode: " + f, [&] {
          if (f == "png") cv::imencode(".png", bgr, encoded, {cv::IMWRITE_PNG_COMPRESSION, 1});
          else cv::imencode(".bmp", bgr, encoded);
        });
        entry_bytes[f] += encoded.size();
        const std::string path = out + "/" + std::to_string(i) + "." + f;
        timed("write: " + f, [&] {
          write_file_atomically(path, std::string(encoded.begin(), encoded.end()), Durability::Scratch);
        });
        timed("read back: " + f, [&] { sink += cv::imread(path, cv::IMREAD_COLOR).total(); });
      }
    }
    for (const auto& [stage, ms] : total) per_image_ms[stage].push_back(ms / files.size());
    if (sink == 0) std::cerr << "(nothing read)\n";
  }
  remove_tree(out);
  nlohmann::json line = {{"images", files.size()}, {"repeats", repeats}};
  for (auto& [stage, v] : per_image_ms) {
    std::sort(v.begin(), v.end());
    line["ms_per_image"][stage] = std::round(v[v.size() / 2] * 1000) / 1000;
  }
  for (const auto& [f, b] : entry_bytes) line["entry_kb"][f] = std::round(b / repeats / files.size() / 100) / 10;
  std::cout << line.dump() << "\n";
}
