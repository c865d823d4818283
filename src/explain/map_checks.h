#pragma once
// The numbers the explanation sanity checks are stated in (Adebayo et al. 2018, "Sanity Checks
// for Saliency Maps"): how alike two maps rank their pixels, and how much of a map lies where it
// should.
#include <opencv2/core/mat.hpp>

namespace leuko {

// Spearman rank correlation of two same-sized single-channel maps over all pixels (average ranks
// for ties). 0 when either map is constant: a flat map ranks nothing.
double spearman_rank_correlation(const cv::Mat& a, const cv::Mat& b);

// Share of the map's total mass inside `mask` (non-zero = inside); the mask is resized to the
// map's size (nearest). 0 for an all-zero map.
double mass_inside(const cv::Mat& map, const cv::Mat& mask);

}  // namespace leuko
