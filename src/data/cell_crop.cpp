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
  cv::Mat out(side, side, rgb.type(), cv::Scalar::all(0));
  rgb(inside).copyTo(out(cv::Rect(inside.x - square.x, inside.y - square.y, inside.width, inside.height)));
  return out;
}

}  // namespace leuko
