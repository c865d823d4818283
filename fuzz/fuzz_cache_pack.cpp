// libFuzzer target: the preprocessing cache's pack reader (src/data/cache_pack.cpp scan_pack,
// read_pack_record), as PreprocessCache runs it on every *.pack file in its folder: files a power
// cut tore, a killed writer left half written, or anyone put there.
//
// Input: a pack file's bytes, scanned for records of 4 × 4 pixels.
// Checks: the scan stays inside the file and returns consecutive records from offset 0; a record
// that reads back is, re-encoded, byte for byte what the file holds (nothing is accepted that
// the writer would not have written); resuming a scan at a slot finds the rest; a record appended
// where the scan ended (as the next writer does, after cutting the tail) is found and reads back.
// Seeds: fuzz/corpus/cache-pack (packs written by encode_pack_record: whole, torn, one bit flipped).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include <opencv2/core.hpp>

#include "data/cache_pack.h"
#include "fuzz_util.h"

using leuko::fuzz::fuzz_fail;

namespace {

constexpr int kSide = 4;
constexpr uint64_t kRecord = leuko::kPackHeaderBytes + kSide * kSide * 3 + leuko::kPackChecksumBytes;

leuko::PackScan scan_file(const std::string& path, const std::string& bytes, int& fd, uint64_t from = 0) {
  leuko::fuzz::write_file(path, bytes);
  fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fuzz_fail("cannot open " + path);
  return leuko::scan_pack(fd, bytes.size(), kSide, from);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static leuko::fuzz::Scratch scratch;
  const std::string path = scratch.path("input.pack");
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  int fd = -1;
  const leuko::PackScan scan = scan_file(path, bytes, fd);
  FUZZ_CHECK(scan.valid_end <= size);
  FUZZ_CHECK(scan.valid_end == scan.slots.size() * kRecord);
  for (size_t i = 0; i < scan.slots.size(); ++i) {
    const leuko::PackSlot& slot = scan.slots[i];
    FUZZ_CHECK(slot.offset == i * kRecord);
    FUZZ_CHECK(slot.key.size() == 32);
    const cv::Mat rgb = leuko::read_pack_record(fd, slot.offset, slot.key, kSide);
    if (!rgb.empty()) {
      FUZZ_CHECK(rgb.rows == kSide && rgb.cols == kSide && rgb.type() == CV_8UC3);
      FUZZ_CHECK(leuko::encode_pack_record(slot.key, rgb) == bytes.substr(slot.offset, kRecord));
    }
    const leuko::PackScan rest = leuko::scan_pack(fd, size, kSide, slot.offset);
    FUZZ_CHECK(rest.slots.size() == scan.slots.size() - i && rest.valid_end == scan.valid_end);
  }
  // Reads at offsets that are not record boundaries never return pixels of another record.
  for (uint64_t offset = 1; offset < std::min<uint64_t>(size, 64); offset += 7)
    if (!leuko::read_pack_record(fd, offset, std::string(32, 'a'), kSide).empty())
      FUZZ_CHECK(bytes.compare(offset + 4, 32, std::string(32, 'a')) == 0);
  ::close(fd);

  // The next writer cuts the tail and appends: its record must be found and read back whole.
  cv::Mat pixels(kSide, kSide, CV_8UC3, cv::Scalar(0, 0, 0));
  std::memcpy(pixels.data, data, std::min<size_t>(size, pixels.total() * 3));
  const std::string key = "0123456789abcdef0123456789abcdef";
  const std::string appended = bytes.substr(0, scan.valid_end) + leuko::encode_pack_record(key, pixels);
  const leuko::PackScan after = scan_file(path, appended, fd);
  FUZZ_CHECK(after.slots.size() == scan.slots.size() + 1);
  FUZZ_CHECK(after.slots.back().key == key && after.valid_end == appended.size());
  const cv::Mat back = leuko::read_pack_record(fd, after.slots.back().offset, key, kSide);
  FUZZ_CHECK(!back.empty() && cv::norm(back, pixels, cv::NORM_INF) == 0.0);
  ::close(fd);
  return 0;
}
