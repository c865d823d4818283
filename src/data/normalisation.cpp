#include "data/normalisation.h"

#include <cmath>
#include <mutex>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/json_reader.h"
#include "common/parallel.h"
#include "data/preprocess_cache.h"

namespace leuko {

nlohmann::json to_json(const Normalisation& n) {
  return {{"source", choice_name(n.source)}, {"mean", n.mean}, {"std", n.std}};
}

Normalisation normalisation_from_json(const JsonReader& j) {
  Normalisation n;
  n.source = j.choice<NormaliseWith>("source");
  auto mean = j.get<std::vector<float>>("mean"), std = j.get<std::vector<float>>("std");
  if (mean.size() != 3 || std.size() != 3) throw UserError(j.here() + ": mean and std need 3 values (R, G, B)");
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(mean[c]) || !(std[c] > 0) || !std::isfinite(std[c]))
      throw UserError(j.where("std") + ": every channel needs a finite mean and a positive standard deviation");
    n.mean[c] = mean[c];
    n.std[c] = std[c];
  }
  return n;
}

Normalisation measure_normalisation(const std::vector<Sample>& train, const PreprocessConfig& preprocess,
                                    const std::string& cache_dir, int threads) {
  if (train.empty()) throw UserError("cannot measure normalisation statistics: no training images");
  PreprocessCache cache(cache_dir, preprocess);
  std::mutex mutex;
  double sum[3] = {0, 0, 0}, sum_sq[3] = {0, 0, 0}, count = 0;
  std::string first_error;
  parallel_for(train.size(), threads, [&](size_t i) {
    cv::Mat img;
    try {
      img = cache.load(train[i].path);
    } catch (const UserError& e) {
      std::lock_guard<std::mutex> lock(mutex);
      if (first_error.empty()) first_error = e.what();
      return;
    }
    double s[3] = {0, 0, 0}, q[3] = {0, 0, 0};
    for (int y = 0; y < img.rows; ++y) {
      const uint8_t* row = img.ptr<uint8_t>(y);
      for (int x = 0; x < img.cols * 3; x += 3)
        for (int c = 0; c < 3; ++c) {
          double v = row[x + c] / 255.0;
          s[c] += v;
          q[c] += v * v;
        }
    }
    std::lock_guard<std::mutex> lock(mutex);
    for (int c = 0; c < 3; ++c) {
      sum[c] += s[c];
      sum_sq[c] += q[c];
    }
    count += static_cast<double>(img.rows) * img.cols;
  });
  if (!first_error.empty()) throw UserError(first_error);
  Normalisation n;
  n.source = NormaliseWith::Dataset;
  for (int c = 0; c < 3; ++c) {
    double mean = sum[c] / count;
    double var = std::max(sum_sq[c] / count - mean * mean, 1e-12);
    n.mean[c] = static_cast<float>(mean);
    n.std[c] = static_cast<float>(std::sqrt(var));
  }
  return n;
}

}  // namespace leuko
