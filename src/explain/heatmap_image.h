#pragma once
// How an explanation is shown and kept: the picture a technologist looks at (what the model saw,
// beside the same image with the heatmap over it, the predicted class and probability written
// under both) and the raw map for anyone who wants to measure it (16-bit, 0..65535 = 0..1).
#include <string>

#include <opencv2/core/mat.hpp>

namespace leuko {

// rgb: 8-bit RGB as the model saw it; map: float in [0,1], any size (resized to the image's).
// Returns 8-bit BGR, ready for cv::imwrite: both panels at least `min_side` px (upscaled for
// legibility when the model's input is small), and a caption strip below them.
cv::Mat heatmap_side_by_side(const cv::Mat& rgb, const cv::Mat& map, const std::string& caption,
                             int min_side = 224);

// The heatmap alone over the image (JET colour map, 45 % opacity), 8-bit BGR at the image's size.
cv::Mat heatmap_overlay(const cv::Mat& rgb, const cv::Mat& map);

// float [0,1] -> CV_16U, values clamped.
cv::Mat map_to_16bit(const cv::Mat& map);
// CV_16U -> float [0,1]; the inverse of map_to_16bit (to within 1/65535).
cv::Mat map_from_16bit(const cv::Mat& map16);

// PNG written atomically (temporary name, then rename); UserError "PATH: reason" on failure.
void write_png(const std::string& path, const cv::Mat& image);

}  // namespace leuko
