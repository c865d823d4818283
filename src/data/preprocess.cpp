#include "data/preprocess.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "common/error.h"
#include "data/cell_crop.h"

namespace leuko {

static int interpolation_flag(const std::string& name) {
  if (name == "bicubic") return cv::INTER_CUBIC;
  if (name == "lanczos") return cv::INTER_LANCZOS4;
  if (name == "area") return cv::INTER_AREA;
  if (name == "linear") return cv::INTER_LINEAR;
  throw UserError("interpolation '" + name + "': expected bicubic, lanczos, area or linear");
}

void PreprocessConfig::validate() const {
  if (denoise != "none" && denoise != "median" && denoise != "bilateral" && denoise != "nlm")
    throw UserError("denoise '" + denoise + "': expected none, median, bilateral or nlm");
  interpolation_flag(interpolation);
  if (size < 8 || size > 4096) throw UserError("image size " + std::to_string(size) + " is outside 8..4096");
  if (crop_margin < 0 || crop_margin > 1) throw UserError("crop margin must be within 0..1");
}

std::string PreprocessConfig::key() const {
  return "v1;denoise=" + denoise + ";crop=" + (crop_to_cell ? std::to_string(crop_margin) : "off") +
         ";size=" + std::to_string(size) + ";interp=" + interpolation;
}

nlohmann::json to_json(const PreprocessConfig& c) {
  return {{"denoise", c.denoise}, {"crop_to_cell", c.crop_to_cell}, {"crop_margin", c.crop_margin},
          {"size", c.size}, {"interpolation", c.interpolation}};
}

PreprocessConfig preprocess_from_json(const nlohmann::json& j) {
  PreprocessConfig c;
  c.denoise = j.value("denoise", c.denoise);
  c.crop_to_cell = j.value("crop_to_cell", c.crop_to_cell);
  c.crop_margin = j.value("crop_margin", c.crop_margin);
  c.size = j.value("size", c.size);
  c.interpolation = j.value("interpolation", c.interpolation);
  c.validate();
  return c;
}

cv::Mat denoise(const cv::Mat& rgb, const std::string& method) {
  cv::Mat out;
  if (method == "none") return rgb;
  if (method == "median") cv::medianBlur(rgb, out, 3);
  else if (method == "bilateral") cv::bilateralFilter(rgb, out, 5, 40.0, 5.0);
  // h = 5 removes sensor noise but keeps chromatin texture; the OpenCV default of 10 smears it.
  else if (method == "nlm") cv::fastNlMeansDenoisingColored(rgb, out, 5.0f, 5.0f, 7, 21);
  else throw UserError("denoise '" + method + "': expected none, median, bilateral or nlm");
  return out;
}

cv::Mat preprocess(const cv::Mat& rgb, const PreprocessConfig& c) {
  cv::Mat img = c.crop_to_cell ? crop_to_cell(rgb, c.crop_margin) : rgb;
  img = denoise(img, c.denoise);
  if (img.cols == c.size && img.rows == c.size) return img.clone();
  cv::Mat out;
  // Shrinking with bicubic aliases; area averaging is the right filter for downscaling.
  int flag = interpolation_flag(c.interpolation);
  bool shrinking = img.cols > c.size && img.rows > c.size;
  if (shrinking && (flag == cv::INTER_CUBIC || flag == cv::INTER_LINEAR)) flag = cv::INTER_AREA;
  cv::resize(img, out, cv::Size(c.size, c.size), 0, 0, flag);
  return out;
}

}  // namespace leuko
