#include "data/cell_crop.h"

#include <algorithm>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace leuko {

cv::Rect non_black_bounding_box(const cv::Mat& rgb, int threshold) {
  cv::Mat brightest;
  std::vector<cv::Mat> channels;
  cv::split(rgb, channels);
  brightest = cv::max(cv::max(channels[0], channels[1]), channels[2]);
  cv::Mat mask = brightest > threshold;
  cv::Rect box = cv::boundingRect(mask);
  if (box.area() == 0) return cv::Rect(0, 0, rgb.cols, rgb.rows);
  return box;
}

cv::Mat crop_to_cell(const cv::Mat& rgb, double margin, int threshold) {
  cv::Rect box = non_black_bounding_box(rgb, threshold);
  int side = std::max(box.width, box.height);
  side += static_cast<int>(2 * margin * side);
  int cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  cv::Rect square(cx - side / 2, cy - side / 2, side, side);
  cv::Rect inside = square & cv::Rect(0, 0, rgb.cols, rgb.rows);
  cv::Rect placed(inside.x - square.x, inside.y - square.y, inside.width, inside.height);
  if (side <= kMaxCropSide) {
    cv::Mat out(side, side, rgb.type(), cv::Scalar::all(0));
    rgb(inside).copyTo(out(placed));
    return out;
  }
  // A long thin image squares into a huge canvas (60000×1 pixels: 10.8 GB). Shrink first, as the
  // resize to the model's size that follows would; crops of real cells never get here.
  const double f = static_cast<double>(kMaxCropSide) / side;
  const auto scaled = [f](int v) { return static_cast<int>(v * f); };
  cv::Rect target(scaled(placed.x), scaled(placed.y), std::max(1, scaled(placed.width)), std::max(1, scaled(placed.height)));
  target &= cv::Rect(0, 0, kMaxCropSide, kMaxCropSide);
  cv::Mat out(kMaxCropSide, kMaxCropSide, rgb.type(), cv::Scalar::all(0));
  cv::resize(rgb(inside), out(target), target.size(), 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace leuko
