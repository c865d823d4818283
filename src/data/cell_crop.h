#pragma once
// C-NMC cells are segmented onto a black canvas: the cell is the bounding box of the non-black
// pixels. Cropping to it (padded, squared) gives the model more cell pixels at the same input
// size, and lets the duplicate detector compare cells rather than black canvases.
#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

namespace leuko {

// Bounding box of pixels whose brightest channel exceeds `threshold`; the whole image when
// nothing does.
cv::Rect non_black_bounding_box(const cv::Mat& rgb, int threshold = 12);

// The largest crop returned: a squared box beyond it is shrunk to this side (never for cells).
constexpr int kMaxCropSide = 4096;

// The bounding box grown by `margin` (fraction of its longer side) and squared about its centre;
// parts outside the image are filled with black, so the cell is never stretched.
cv::Mat crop_to_cell(const cv::Mat& rgb, double margin = 0.05, int threshold = 12);

}  // namespace leuko
