#include "data/preprocess.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "common/error.h"
#include "common/json_reader.h"
#include "data/cell_crop.h"

namespace leuko {

static int interpolation_flag(Interpolation i) {
  switch (i) {
    case Interpolation::Lanczos: return cv::INTER_LANCZOS4;
    case Interpolation::Area: return cv::INTER_AREA;
    case Interpolation::Linear: return cv::INTER_LINEAR;
    case Interpolation::Bicubic: break;
  }
  return cv::INTER_CUBIC;
}

void PreprocessConfig::validate() const {
  if (size < 8 || size > 4096) throw UserError("image size " + std::to_string(size) + " is outside 8..4096");
  if (!(crop_margin >= 0 && crop_margin <= 1)) throw UserError("crop margin must be within 0..1");
}

std::string PreprocessConfig::key() const {
  return std::string("v1;denoise=") + choice_name(denoise) + ";crop=" + (crop_to_cell ? std::to_string(crop_margin) : "off") +
         ";size=" + std::to_string(size) + ";interp=" + choice_name(interpolation);
}

nlohmann::json to_json(const PreprocessConfig& c) {
  return {{"denoise", choice_name(c.denoise)}, {"crop_to_cell", c.crop_to_cell}, {"crop_margin", c.crop_margin},
          {"size", c.size}, {"interpolation", choice_name(c.interpolation)}};
}

PreprocessConfig preprocess_from_json(const JsonReader& j) {
  PreprocessConfig c;
  c.denoise = j.choice_or("denoise", c.denoise);
  c.crop_to_cell = j.get_or("crop_to_cell", c.crop_to_cell);
  c.crop_margin = j.get_or("crop_margin", c.crop_margin);
  c.size = j.get_or("size", c.size);
  c.interpolation = j.choice_or("interpolation", c.interpolation);
  try {
    c.validate();
  } catch (const UserError& e) {
    throw UserError(j.here() + ": " + e.what());
  }
  return c;
}

cv::Mat denoise(const cv::Mat& rgb, Denoise method) {
  cv::Mat out;
  switch (method) {
    case Denoise::None: return rgb;
    case Denoise::Median: cv::medianBlur(rgb, out, 3); break;
    case Denoise::Bilateral: cv::bilateralFilter(rgb, out, 5, 40.0, 5.0); break;
    // h = 5 removes sensor noise but keeps chromatin texture; the OpenCV default of 10 smears it.
    case Denoise::Nlm: cv::fastNlMeansDenoisingColored(rgb, out, 5.0f, 5.0f, 7, 21); break;
  }
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
