#include "explain/map_checks.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace leuko {

namespace {

std::vector<double> pixels(const cv::Mat& m) {
  cv::Mat f;
  m.convertTo(f, CV_64F);
  f = f.reshape(1, 1).clone();
  return std::vector<double>(f.begin<double>(), f.end<double>());
}

std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (size_t t = i; t <= j; ++t) rank[order[t]] = 0.5 * double(i + j);
    i = j + 1;
  }
  return rank;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = double(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

}  // namespace

double spearman_rank_correlation(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size()) throw std::invalid_argument("spearman_rank_correlation: maps differ in size");
  return pearson(average_ranks(pixels(a)), average_ranks(pixels(b)));
}

double mass_inside(const cv::Mat& map, const cv::Mat& mask) {
  cv::Mat m, inside;
  map.convertTo(m, CV_64F);
  cv::resize(mask, inside, map.size(), 0, 0, cv::INTER_NEAREST);
  const double total = cv::sum(m)[0];
  if (total <= 0) return 0;
  cv::Mat weight;
  cv::Mat(inside != 0).convertTo(weight, CV_64F, 1.0 / 255.0);
  return cv::sum(m.mul(weight))[0] / total;
}

}  // namespace leuko
