#include "data/distort.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/error.h"

namespace leuko {
namespace {

const std::map<std::string, std::vector<double>>& parameters() {
  static const std::map<std::string, std::vector<double>> p = {
      {"gaussian_noise", {0.04, 0.06, 0.08, 0.10, 0.14}},
      {"gaussian_blur", {0.5, 1.0, 1.5, 2.0, 3.0}},
      {"jpeg", {30, 20, 15, 10, 7}},
      {"contrast", {0.6, 0.45, 0.3, 0.2, 0.1}},
      {"brightness", {0.1, 0.2, 0.3, 0.4, 0.5}},
      {"stain", {0.1, 0.2, 0.3, 0.4, 0.5}},
      {"motion_blur", {3, 5, 7, 9, 13}},
      {"pixelate", {2, 3, 4, 5, 6}},
  };
  return p;
}

cv::Mat to_float(const cv::Mat& rgb) {
  cv::Mat f;
  rgb.convertTo(f, CV_32FC3, 1.0 / 255.0);
  return f;
}

cv::Mat to_u8(const cv::Mat& f) {
  cv::Mat out;
  f.convertTo(out, CV_8UC3, 255.0);  // saturating
  return out;
}

}  // namespace

const std::vector<std::string>& distortion_families() {
  static const std::vector<std::string> f = {"gaussian_noise", "gaussian_blur", "jpeg",        "contrast",
                                             "brightness",     "stain",         "motion_blur", "pixelate"};
  return f;
}

const std::vector<std::string>& trainable_distortion_families() {
  static const std::vector<std::string> f = {"gaussian_noise", "gaussian_blur", "jpeg", "contrast", "brightness", "stain"};
  return f;
}

const std::vector<std::string>& held_out_distortion_families() {
  static const std::vector<std::string> f = {"motion_blur", "pixelate"};
  return f;
}

cv::Mat distort(const cv::Mat& rgb, const std::string& family, int severity, uint64_t seed) {
  auto it = parameters().find(family);
  if (it == parameters().end()) throw UserError("unknown distortion '" + family + "'");
  if (severity < 1 || severity > kSeverities) throw UserError("distortion severity must be 1..5");
  const double v = it->second[static_cast<size_t>(severity - 1)];
  cv::Mat out;
  if (family == "gaussian_noise") {
    cv::Mat f = to_float(rgb), noise(rgb.size(), CV_32FC3);
    cv::RNG rng(seed * 2654435761ULL + 17);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, v);
    return to_u8(f + noise);
  }
  if (family == "gaussian_blur") {
    cv::GaussianBlur(rgb, out, cv::Size(0, 0), v, v, cv::BORDER_REFLECT_101);
    return out;
  }
  if (family == "jpeg") {
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<uint8_t> bytes;
    cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, static_cast<int>(v)});
    cv::cvtColor(cv::imdecode(bytes, cv::IMREAD_COLOR), out, cv::COLOR_BGR2RGB);
    return out;
  }
  if (family == "contrast") {
    cv::Mat f = to_float(rgb);
    cv::Scalar mean = cv::mean(f);
    return to_u8((f - mean) * v + mean);
  }
  if (family == "brightness") {
    cv::Mat hsv;
    cv::cvtColor(to_float(rgb), hsv, cv::COLOR_RGB2HSV);  // float: V in [0,1]
    std::vector<cv::Mat> ch;
    cv::split(hsv, ch);
    ch[2] = cv::min(ch[2] + v, 1.0);
    cv::merge(ch, hsv);
    cv::cvtColor(hsv, out, cv::COLOR_HSV2RGB);
    return to_u8(out);
  }
  if (family == "stain") {
    // Stain intensity lives in optical density (Beer-Lambert), where dyes add linearly.
    cv::Mat f = to_float(rgb), od;
    cv::max(f, 1.0 / 255.0, f);
    cv::log(f, od);
    od = -od;
    std::vector<cv::Mat> ch;
    cv::split(od, ch);
    ch[0] *= 1.0 + v;
    ch[1] *= 1.0 - v / 2;
    ch[2] *= 1.0 - v;
    cv::merge(ch, od);
    cv::exp(-od, f);
    return to_u8(f);
  }
  if (family == "motion_blur") {
    int len = static_cast<int>(v);
    cv::Mat kernel = cv::Mat::zeros(len, len, CV_32F);
    kernel.row(len / 2).setTo(1.0f / static_cast<float>(len));
    cv::filter2D(rgb, out, -1, kernel, cv::Point(-1, -1), 0, cv::BORDER_REFLECT_101);
    return out;
  }
  // pixelate: whole blocks of v x v pixels (fractional factors alias and are not monotone)
  cv::Mat small;
  cv::Size size(std::max(1, static_cast<int>(std::lround(rgb.cols / v))), std::max(1, static_cast<int>(std::lround(rgb.rows / v))));
  cv::resize(rgb, small, size, 0, 0, cv::INTER_AREA);
  cv::resize(small, out, rgb.size(), 0, 0, cv::INTER_NEAREST);
  return out;
}

cv::Mat random_distortion(const cv::Mat& rgb, const std::vector<std::string>& families, double p,
                          int max_severity, std::mt19937_64& rng) {
  // Draw everything up front so the stream does not depend on which branch runs.
  bool apply = std::bernoulli_distribution(p)(rng);
  size_t family = std::uniform_int_distribution<size_t>(0, families.empty() ? 0 : families.size() - 1)(rng);
  int severity = std::uniform_int_distribution<int>(1, std::clamp(max_severity, 1, kSeverities))(rng);
  uint64_t seed = rng();
  if (!apply || families.empty()) return rgb;
  return distort(rgb, families[family], severity, seed);
}

nlohmann::json distortion_parameters() {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [family, values] : parameters()) j[family] = values;
  return j;
}

}  // namespace leuko
