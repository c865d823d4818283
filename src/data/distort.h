#pragma once
// The image distortions of the robustness sweep, five severities each, with parameters modelled
// on ImageNet-C (Hendrycks & Dietterich, 2019) and applied at the model's input resolution:
//   gaussian_noise  sigma (of [0,1] intensities)   0.04 0.06 0.08 0.10 0.14
//   gaussian_blur   sigma in pixels                 0.5  1    1.5  2    3
//   jpeg            quality                         30   20   15   10   7
//   contrast        factor about the mean           0.6  0.45 0.3  0.2  0.1
//   brightness      HSV value shift                 +0.1 +0.2 +0.3 +0.4 +0.5
//   stain           optical-density scaling a: R x(1+a), G x(1-a/2), B x(1-a), a = 0.1 .. 0.5
// and two held-out families that training-time distortion augmentation never uses, to show
// whether robustness generalises or was only trained in:
//   motion_blur     horizontal kernel length        3    5    7    9    13
//   pixelate        block side in pixels            2    3    4    5    6
// Noise is drawn from a seeded generator: the same seed gives the same distorted image.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core/mat.hpp>

namespace leuko {

inline constexpr int kSeverities = 5;

// Every family, the sweep's order.
const std::vector<std::string>& distortion_families();
// The six families of the study's sweep (those distortion augmentation may train on).
const std::vector<std::string>& trainable_distortion_families();
// Families reserved for testing generalisation.
const std::vector<std::string>& held_out_distortion_families();

// RGB8 in, RGB8 out (same size). severity in 1..5. Throws UserError for an unknown family or
// severity.
cv::Mat distort(const cv::Mat& rgb, const std::string& family, int severity, uint64_t seed = 0);

// Training-time augmentation: with probability `p`, one family from `families` at a random
// severity in 1..max_severity.
cv::Mat random_distortion(const cv::Mat& rgb, const std::vector<std::string>& families, double p,
                          int max_severity, std::mt19937_64& rng);

// The parameter table above, for reports and config.json.
nlohmann::json distortion_parameters();

}  // namespace leuko
