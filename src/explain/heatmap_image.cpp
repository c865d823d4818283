#include "explain/heatmap_image.h"

#include <algorithm>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/atomic_file.h"
#include "common/error.h"

namespace leuko {

namespace {

cv::Mat map_at_size(const cv::Mat& map, cv::Size size) {
  cv::Mat m;
  map.convertTo(m, CV_32F);
  if (m.size() != size) cv::resize(m, m, size, 0, 0, cv::INTER_LINEAR);
  return cv::min(cv::max(m, 0.0), 1.0);
}

}  // namespace

cv::Mat heatmap_overlay(const cv::Mat& rgb, const cv::Mat& map) {
  cv::Mat bgr, map8, colour, out;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  map_at_size(map, rgb.size()).convertTo(map8, CV_8U, 255.0);
  cv::applyColorMap(map8, colour, cv::COLORMAP_JET);
  cv::addWeighted(bgr, 0.55, colour, 0.45, 0.0, out);
  return out;
}

cv::Mat heatmap_side_by_side(const cv::Mat& rgb, const cv::Mat& map, const std::string& caption, int min_side) {
  // Small model inputs (a 32-px tiny preset) are scaled up, nearest-neighbour for the image so
  // that its pixels stay the pixels the model saw, linearly for the smooth map.
  const double scale = std::max(1.0, double(min_side) / std::max(1, std::min(rgb.rows, rgb.cols)));
  cv::Mat shown;
  cv::resize(rgb, shown, cv::Size(), scale, scale, cv::INTER_NEAREST);
  cv::Mat left;
  cv::cvtColor(shown, left, cv::COLOR_RGB2BGR);
  cv::Mat right = heatmap_overlay(shown, map);

  const int gap = 4, strip = 28;
  cv::Mat canvas(shown.rows + strip, 2 * shown.cols + gap, CV_8UC3, cv::Scalar(255, 255, 255));
  left.copyTo(canvas(cv::Rect(0, 0, shown.cols, shown.rows)));
  right.copyTo(canvas(cv::Rect(shown.cols + gap, 0, shown.cols, shown.rows)));
  // Shrink the caption until it fits the strip's width rather than run off the picture.
  double font = 0.55;
  int baseline = 0;
  cv::Size text = cv::getTextSize(caption, cv::FONT_HERSHEY_SIMPLEX, font, 1, &baseline);
  if (text.width > canvas.cols - 8) {
    font *= double(canvas.cols - 8) / text.width;
    text = cv::getTextSize(caption, cv::FONT_HERSHEY_SIMPLEX, font, 1, &baseline);
  }
  cv::putText(canvas, caption, cv::Point(4, shown.rows + (strip + text.height) / 2), cv::FONT_HERSHEY_SIMPLEX, font,
              cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
  return canvas;
}

cv::Mat map_to_16bit(const cv::Mat& map) {
  cv::Mat out;
  map_at_size(map, map.size()).convertTo(out, CV_16U, 65535.0);
  return out;
}

cv::Mat map_from_16bit(const cv::Mat& map16) {
  cv::Mat out;
  map16.convertTo(out, CV_32F, 1.0 / 65535.0);
  return out;
}

void write_png(const std::string& path, const cv::Mat& image) {
  std::vector<uint8_t> png;
  bool ok = false;
  try {
    ok = cv::imencode(".png", image, png);
  } catch (const cv::Exception& e) {
    throw UserError(path + ": cannot encode the PNG (" + e.msg + ")");
  }
  if (!ok) throw UserError(path + ": cannot encode the PNG");
  write_file_atomically(path, std::string(png.begin(), png.end()), Durability::FileOnly);
}

}  // namespace leuko
