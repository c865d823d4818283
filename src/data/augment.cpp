#include "data/augment.h"

#include <cmath>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>


namespace leuko {

bool AugmentConfig::any() const {
  return flips || rotate90 || max_rotation_deg > 0 || max_scale > 0 || brightness > 0 || contrast > 0 ||
         saturation > 0 || hue > 0;
}

AugmentConfig augment_preset(AugmentLevel level) {
  AugmentConfig a;  // flips and quarter turns: the dihedral views (light)
  auto placement_and_colour = [&](double rotation_deg, double scale, double colour, double hue) {
    a.max_rotation_deg = rotation_deg;
    a.max_scale = scale;
    a.brightness = a.contrast = a.saturation = colour;
    a.hue = hue;
  };
  switch (level) {
    case AugmentLevel::None: a.flips = a.rotate90 = false; break;
    case AugmentLevel::Light: break;
    case AugmentLevel::Standard: placement_and_colour(15, 0.1, 0.2, 0.02); break;
    case AugmentLevel::Strong: placement_and_colour(30, 0.2, 0.4, 0.05); break;
  }
  return a;
}

nlohmann::json to_json(const AugmentConfig& a) {
  return {{"flips", a.flips}, {"rotate90", a.rotate90}, {"max_rotation_deg", a.max_rotation_deg},
          {"max_scale", a.max_scale}, {"brightness", a.brightness}, {"contrast", a.contrast},
          {"saturation", a.saturation}, {"hue", a.hue}};
}

static double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

cv::Mat augment(const cv::Mat& rgb, const AugmentConfig& a, std::mt19937_64& rng) {
  cv::Mat img = rgb;
  // Every draw is taken whether or not it is used, so one setting does not shift the others'
  // random streams (a run with hue on sees the same flips as one with hue off).
  bool flip = std::bernoulli_distribution(0.5)(rng);
  int quarter_turns = std::uniform_int_distribution<int>(0, 3)(rng);
  double angle = uniform(rng, -1, 1) * a.max_rotation_deg;
  double scale = 1.0 + uniform(rng, -1, 1) * a.max_scale;
  double b = 1.0 + uniform(rng, -1, 1) * a.brightness;
  double c = 1.0 + uniform(rng, -1, 1) * a.contrast;
  double s = 1.0 + uniform(rng, -1, 1) * a.saturation;
  double h = uniform(rng, -1, 1) * a.hue;

  if (a.flips && flip) cv::flip(img, img, 1);
  if (a.rotate90 && quarter_turns > 0) {
    static const cv::RotateFlags turns[] = {cv::ROTATE_90_CLOCKWISE, cv::ROTATE_180, cv::ROTATE_90_COUNTERCLOCKWISE};
    cv::Mat turned;
    cv::rotate(img, turned, turns[quarter_turns - 1]);
    img = turned;
  }
  if (a.max_rotation_deg > 0 || a.max_scale > 0) {
    cv::Point2f centre(img.cols / 2.0f, img.rows / 2.0f);
    cv::Mat m = cv::getRotationMatrix2D(centre, angle, scale);
    cv::Mat warped;
    cv::warpAffine(img, warped, m, img.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
    img = warped;
  }
  bool colour = a.brightness > 0 || a.contrast > 0 || a.saturation > 0 || a.hue > 0;
  if (!colour) return img.data == rgb.data ? img.clone() : img;

  cv::Mat f;
  img.convertTo(f, CV_32FC3, b);
  if (a.contrast > 0) {
    cv::Mat grey;
    cv::cvtColor(f, grey, cv::COLOR_RGB2GRAY);
    double mean = cv::mean(grey)[0];
    f = f * c + cv::Scalar::all(mean * (1.0 - c));
  }
  if (a.saturation > 0) {
    cv::Mat grey, grey3;
    cv::cvtColor(f, grey, cv::COLOR_RGB2GRAY);
    cv::cvtColor(grey, grey3, cv::COLOR_GRAY2RGB);
    cv::addWeighted(f, s, grey3, 1.0 - s, 0.0, f);
  }
  cv::Mat out;
  f.convertTo(out, CV_8UC3);  // saturates to 0..255
  if (a.hue > 0 && std::abs(h) > 1e-9) {
    cv::Mat hsv;
    cv::cvtColor(out, hsv, cv::COLOR_RGB2HSV_FULL);
    int shift = static_cast<int>(std::lround(h * 256.0));
    for (int y = 0; y < hsv.rows; ++y) {
      auto* row = hsv.ptr<uint8_t>(y);
      for (int x = 0; x < hsv.cols; ++x) row[3 * x] = static_cast<uint8_t>((row[3 * x] + shift) & 255);
    }
    cv::cvtColor(hsv, out, cv::COLOR_HSV2RGB_FULL);
  }
  return out;
}

}  // namespace leuko
