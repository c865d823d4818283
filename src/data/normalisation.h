#pragma once
// Per-channel normalisation applied when pixels become a tensor: ImageNet's statistics (what
// pretrained torchvision/timm weights expect) or the statistics of the training split itself
// (better for stain-dominated data trained from scratch).
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/choice.h"
#include "data/preprocess.h"
#include "data/sample.h"

namespace leuko {

class JsonReader;

enum class NormaliseWith { ImageNet, Dataset };
LEUKO_CHOICES(NormaliseWith, {NormaliseWith::ImageNet, "imagenet"}, {NormaliseWith::Dataset, "dataset"});

struct Normalisation {
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};  // ImageNet, RGB, in [0,1] units
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
  NormaliseWith source = NormaliseWith::ImageNet;
};

nlohmann::json to_json(const Normalisation& n);
// UserError naming the file and key for a missing value, a wrong type, or a standard deviation
// that is not positive (it divides every pixel).
Normalisation normalisation_from_json(const JsonReader& j);

// Mean and standard deviation per channel over the preprocessed training images (every pixel of
// every image, one pass with double accumulators). Unreadable files throw UserError naming them.
Normalisation measure_normalisation(const std::vector<Sample>& train, const PreprocessConfig& preprocess,
                                    const std::string& cache_dir, int threads);

}  // namespace leuko
