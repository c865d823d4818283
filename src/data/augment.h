#pragma once
// Training-time augmentation on 8-bit RGB. Cells have no canonical orientation, so the eight
// dihedral views are free; small free rotations and scale changes model placement; colour jitter
// models stain and illumination differences between slides (the Aria classes differ strongly in
// overall colour, so without it a model learns the slide, not the cell).
#include <random>
#include <string>

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core/mat.hpp>

#include "common/choice.h"

namespace leuko {

// Named strengths: none (identity), light (the dihedral views), standard and strong (plus
// rotation, scale and colour jitter).
enum class AugmentLevel { None, Light, Standard, Strong };
LEUKO_CHOICES(AugmentLevel, {AugmentLevel::None, "none"}, {AugmentLevel::Light, "light"},
              {AugmentLevel::Standard, "standard"}, {AugmentLevel::Strong, "strong"});

struct AugmentConfig {
  bool flips = true;
  bool rotate90 = true;
  double max_rotation_deg = 0;  // uniform in [-max, max]
  double max_scale = 0;         // zoom factor uniform in [1 - max, 1 + max]
  double brightness = 0;        // multiplicative factor in [1 - b, 1 + b]
  double contrast = 0;          // blend with the mean grey, factor in [1 - c, 1 + c]
  double saturation = 0;        // blend with the greyscale image
  double hue = 0;               // hue shift as a fraction of the colour circle, in [-h, h]

  bool any() const;
};

AugmentConfig augment_preset(AugmentLevel level);

nlohmann::json to_json(const AugmentConfig& a);

// Applies a random draw of every enabled augmentation; same rng state -> same output.
cv::Mat augment(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng);

}  // namespace leuko
