#include "eval/roc_curve.h"

#include <algorithm>
#include <numeric>

namespace leuko {

std::vector<RocPoint> roc_curve(const std::vector<float>& scores, const std::vector<bool>& positive, size_t max_points) {
  const size_t n = scores.size();
  const size_t n_pos = static_cast<size_t>(std::count(positive.begin(), positive.end(), true));
  const size_t n_neg = n - n_pos;
  if (n_pos == 0 || n_neg == 0) return {};
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });

  std::vector<RocPoint> all{{0.0, 0.0}};
  size_t tp = 0, fp = 0;
  for (size_t i = 0; i < n; ++i) {
    positive[order[i]] ? ++tp : ++fp;
    // Tied scores cannot be ordered against each other: emit one point after the whole tie.
    if (i + 1 < n && scores[order[i + 1]] == scores[order[i]]) continue;
    all.emplace_back(static_cast<double>(fp) / n_neg, static_cast<double>(tp) / n_pos);
  }
  if (all.size() <= max_points || max_points < 3) return all;
  // Thin evenly but keep both ends, so the drawn curve still starts at (0,0) and ends at (1,1).
  std::vector<RocPoint> thinned;
  const double step = static_cast<double>(all.size() - 1) / static_cast<double>(max_points - 1);
  for (size_t i = 0; i < max_points; ++i) thinned.push_back(all[static_cast<size_t>(i * step + 0.5)]);
  thinned.back() = all.back();
  return thinned;
}

}  // namespace leuko
