#pragma once
// Near-duplicate detection with a DCT perceptual hash (pHash): 32x32 grey thumbnail, 2-D DCT,
// the 8x8 lowest frequencies without DC thresholded at their median -> 64 bits. Re-encoded,
// slightly re-cropped or re-coloured copies of one field land within a few bits of each other,
// while different cells differ in about half of them.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace leuko {

uint64_t perceptual_hash(const cv::Mat& rgb);

inline int hamming(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

// Hashes of every file (in parallel); files that fail to decode get hash 0 and ok[i] = false.
struct HashResult {
  std::vector<uint64_t> hashes;
  std::vector<bool> ok;
};
HashResult hash_files(const std::vector<std::string>& paths, int threads);

// Pairs (i < j) whose hashes differ in at most `max_distance` bits.
std::vector<std::pair<size_t, size_t>> near_duplicate_pairs(const HashResult& h, int max_distance);

// Connected components of the pair graph: cluster id per item (items with no pair get their own).
std::vector<size_t> cluster_ids(size_t n, const std::vector<std::pair<size_t, size_t>>& pairs);

// Default distance: chosen on the Aria set, whose manifest marks 72 near-duplicate pairs
// (see tests/data/test_near_duplicates.cpp for the measured recall and false pairs).
inline constexpr int kNearDuplicateBits = 6;

}  // namespace leuko
