#include "data/near_duplicates.h"

#include <algorithm>
#include <numeric>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "common/parallel.h"
#include "data/cell_crop.h"
#include "data/image_decode.h"

namespace leuko {

uint64_t perceptual_hash(const cv::Mat& rgb) {
  cv::Mat gray, small, f, dct;
  // Hash the cell, not its canvas: on black-background C-NMC crops, whole-image hashes of two
  // different cells agree in most low-frequency bits (a bright blob in the middle).
  cv::cvtColor(crop_to_cell(rgb, 0.0), gray, cv::COLOR_RGB2GRAY);
  cv::resize(gray, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  small.convertTo(f, CV_32F);
  cv::dct(f, dct);
  float coeffs[64];
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) coeffs[y * 8 + x] = dct.at<float>(y, x);
  // The DC term only encodes mean brightness; it would make the median meaningless.
  float sorted[63];
  std::copy(coeffs + 1, coeffs + 64, sorted);
  std::nth_element(sorted, sorted + 31, sorted + 63);
  float median = sorted[31];
  uint64_t bits = 0;
  for (int i = 1; i < 64; ++i)
    if (coeffs[i] > median) bits |= (uint64_t{1} << i);
  return bits;
}

HashResult hash_files(const std::vector<std::string>& paths, int threads) {
  HashResult r;
  r.hashes.assign(paths.size(), 0);
  std::vector<char> ok(paths.size(), 0);
  parallel_for(paths.size(), threads, [&](size_t i) {
    DecodedImage img = decode_image_file(paths[i]);
    if (!img.ok()) return;
    r.hashes[i] = perceptual_hash(img.rgb);
    ok[i] = 1;
  });
  r.ok.assign(ok.begin(), ok.end());
  return r;
}

std::vector<std::pair<size_t, size_t>> near_duplicate_pairs(const HashResult& h, int max_distance) {
  std::vector<std::pair<size_t, size_t>> pairs;
  const size_t n = h.hashes.size();
  // All pairs: 15k images are 1.1e8 popcounts, well under a second; no index needed.
  for (size_t i = 0; i < n; ++i) {
    if (!h.ok[i]) continue;
    for (size_t j = i + 1; j < n; ++j)
      if (h.ok[j] && hamming(h.hashes[i], h.hashes[j]) <= max_distance) pairs.emplace_back(i, j);
  }
  return pairs;
}

std::vector<size_t> cluster_ids(size_t n, const std::vector<std::pair<size_t, size_t>>& pairs) {
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), size_t{0});
  auto find = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (auto [a, b] : pairs) {
    size_t ra = find(a), rb = find(b);
    if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
  }
  std::vector<size_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = find(i);
  return ids;
}

}  // namespace leuko
