#pragma once
// The preprocessing cache's storage format: entries appended to a few pack files instead of one
// small file per image. Creating a file costs ext4 ≈0.3 ms of kernel time, ≈1 s per C-NMC epoch
// on a 2-core machine whose cores the training step keeps busy (bench/RESULTS.md, "The first
// epoch and the preprocessing cache"); appending to an open file costs only its bytes.
//
// A pack is a sequence of self-describing, checksummed records (integers little-endian):
//
//   "LKPE" | key: 32 ASCII hex digits | rows u32 | cols u32 | payload bytes u64 (= rows*cols*3)
//   | payload: RGB8 pixels, row-major | XXH3-64 of everything before it in the record, u64
//
// Nothing in a pack is trusted: the cache folder may hold a file torn by a power cut, a killed
// writer's half record, or anything a user put there. A scan indexes a record only if its header
// is well formed and the record fits in the file, and stops at the first that is not (a torn tail
// ends a pack); a read checks the key, the size and the checksum before it returns pixels.
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace leuko {

constexpr size_t kPackHeaderBytes = 4 + 32 + 4 + 4 + 8;
constexpr size_t kPackChecksumBytes = 8;

struct PackSlot {
  std::string key;      // the record's 32 hex digits
  uint64_t offset = 0;  // where its header starts
};

struct PackScan {
  std::vector<PackSlot> slots;  // in file order, each record starting where the previous ended
  uint64_t valid_end = 0;       // the end of the last well-formed record: where a writer appends
};

// Reads the headers (never the payloads) of the pack open on `fd`, `file_size` bytes long, whose
// records must all be image_size × image_size, from `from` (0, or the valid_end of an earlier scan
// of the same pack: only what was appended since is read). Never throws; an unreadable file scans
// as empty.
PackScan scan_pack(int fd, uint64_t file_size, int image_size, uint64_t from = 0);

// The pixels of the record at `offset` (RGB8, image_size × image_size), or an empty Mat when the
// record there is not a whole one with this key: torn, overwritten, or failing its checksum.
cv::Mat read_pack_record(int fd, uint64_t offset, const std::string& key, int image_size);

// The bytes of one record: `key` (32 hex digits) and `rgb` (CV_8UC3). Throws std::invalid_argument
// on a malformed key or image (a programming error, never the user's input).
std::string encode_pack_record(const std::string& key, const cv::Mat& rgb);

}  // namespace leuko
