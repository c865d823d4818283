#pragma once
// The study's preprocessing — denoising, cropping to the cell, upscaling to the model input —
// each step selectable and recorded. Normalisation happens later, when pixels become a tensor
// (data/torch/image_tensor.h), so the cached result stays 8-bit and small.
#include <string>

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core/mat.hpp>

#include "common/choice.h"

namespace leuko {

class JsonReader;

enum class Denoise { None, Median, Bilateral, Nlm };
LEUKO_CHOICES(Denoise, {Denoise::None, "none"}, {Denoise::Median, "median"}, {Denoise::Bilateral, "bilateral"},
              {Denoise::Nlm, "nlm"});

enum class Interpolation { Bicubic, Lanczos, Area, Linear };
LEUKO_CHOICES(Interpolation, {Interpolation::Bicubic, "bicubic"}, {Interpolation::Lanczos, "lanczos"},
              {Interpolation::Area, "area"}, {Interpolation::Linear, "linear"});

struct PreprocessConfig {
  Denoise denoise = Denoise::None;
  bool crop_to_cell = false;           // C-NMC cells sit on black: crop to them (padded, square)
  double crop_margin = 0.05;           // fraction of the cell's longer side added on each side
  int size = 224;                      // output is size x size
  Interpolation interpolation = Interpolation::Bicubic;

  // A canonical string of every setting that changes pixels: part of the cache key.
  std::string key() const;
  // Throws UserError for impossible sizes and margins.
  void validate() const;
};

nlohmann::json to_json(const PreprocessConfig& c);
PreprocessConfig preprocess_from_json(const JsonReader& j);

// RGB8 in, RGB8 size x size out. Order: crop (less area to denoise) -> denoise -> resize.
cv::Mat preprocess(const cv::Mat& rgb, const PreprocessConfig& config);

// Denoising alone, also used for test-time denoising of distorted images.
cv::Mat denoise(const cv::Mat& rgb, Denoise method);

}  // namespace leuko
