// Loader throughput: real 450x450 C-NMC BMPs -> 224x224 normalised float batches, the way a
// training step consumes them. Prints one JSON line per configuration with the median over
// epochs. Compare with bench/loader_reference.py (torchvision DataLoader) via bench/run_loader_bench.sh.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include "common/paths.h"
#include "data/bundled.h"
#include "common/remove_tree.h"
#include "data/layouts.h"
#include "data/torch/batch_loader.h"

using namespace leuko;

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : bundled_cnmc_dir();
  int repeat = argc > 2 ? std::stoi(argv[2]) : 16;  // the miniature is small: repeat its list
  int epochs = argc > 3 ? std::stoi(argv[3]) : 5;
  at::set_num_threads(1);
  Dataset ds = open_dataset(dir);
  std::vector<Sample> samples;
  for (int r = 0; r < repeat; ++r)
    for (const auto& s : ds.samples)
      if (s.split == "train") samples.push_back(s);  // the same files the Python reference reads

  std::string cache = std::filesystem::temp_directory_path() / "leuko_bench_cache";
  leuko::remove_tree(cache);
  struct Config {
    std::string name;
    Denoise denoise;
    bool cached;
    bool augment;
  };
  std::vector<Config> configs = {{"decode+resize", Denoise::None, false, false},
                                 {"decode+resize+augment", Denoise::None, false, true},
                                 {"cached+augment", Denoise::None, true, true},
                                 {"nlm cached+augment", Denoise::Nlm, true, true}};
  for (const auto& c : configs) {
    LoaderOptions o;
    o.batch_size = 16;
    o.preprocess.size = 224;
    o.preprocess.denoise = c.denoise;
    o.augment = c.augment;
    o.augmentation = augment_preset(AugmentLevel::Standard);
    o.cache_dir = c.cached ? cache : "";
    o.workers = 2;
    BatchLoader loader(samples, o);
    std::vector<double> rates;
    for (int e = 0; e < epochs + 1; ++e) {
      auto t0 = std::chrono::steady_clock::now();
      loader.start_epoch(e);
      size_t n = 0;
      while (auto b = loader.next()) n += static_cast<size_t>(b->images.size(0));
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (e > 0) rates.push_back(n / s);  // epoch 0 warms the page cache and the preprocessing cache
    }
    std::cout << nlohmann::json{{"config", c.name}, {"images", samples.size()}, {"workers", o.workers},
                                {"img_per_s_median", median(rates)}}.dump()
              << std::endl;
  }
  leuko::remove_tree(cache);
}
