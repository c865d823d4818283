#pragma once
// One-vs-rest ROC curves for the report's plots. AUROC itself comes from metrics.h; this gives
// the points, thinned so a curve over thousands of images stays a few hundred points.
#include <cstddef>
#include <utility>
#include <vector>

namespace leuko {

using RocPoint = std::pair<double, double>;  // (false-positive rate, true-positive rate)

// Curve for `positive` = the images of one class, ranked by `scores` (ties form one step).
// Starts at (0,0), ends at (1,1). Empty when either class is absent.
std::vector<RocPoint> roc_curve(const std::vector<float>& scores, const std::vector<bool>& positive,
                                std::size_t max_points = 200);

}  // namespace leuko
