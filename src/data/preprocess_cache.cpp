#include "data/preprocess_cache.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "common/content_hash.h"
#include "common/error.h"
#include "common/regular_file.h"
#include "data/cache_pack.h"
#include "data/image_decode.h"

namespace leuko {
namespace fs = std::filesystem;

std::string default_cache_dir() {
  if (const char* env = std::getenv("LEUKOSCOPE_CACHE"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/leukoscope";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/leukoscope";
  return ".leukoscope-cache";
}

namespace {

std::vector<std::string> pack_files(const std::string& folder) {
  std::vector<std::string> packs;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".pack") packs.push_back(it->path().string());
  std::sort(packs.begin(), packs.end());
  return packs;
}

uint64_t file_size_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
}

bool write_exactly(int fd, uint64_t offset, const std::string& bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::pwrite(fd, p, left, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    offset += static_cast<uint64_t>(n);
    left -= static_cast<size_t>(n);
  }
  return true;
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot open image");
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

PreprocessCache::PreprocessCache(std::string dir, PreprocessConfig config)
    : dir_(std::move(dir)), config_(std::move(config)), config_key_(config_.key()) {
  config_.validate();
  if (dir_.empty()) return;
  settings_dir_ = dir_ + "/settings-" + content_hash(config_key_.data(), config_key_.size()).substr(0, 16);
  refresh();
}

PreprocessCache::~PreprocessCache() {
  for (const Pack& pack : packs_) ::close(pack.fd);
  if (writer_fd_ >= 0) ::close(writer_fd_);  // releases its flock
}

void PreprocessCache::refresh() {
  std::lock_guard refresh_lock(refresh_mutex_);
  // Scanned without holding the index, so loads go on meanwhile; refresh_mutex_ keeps it to one
  // thread. The writer's own pack is not scanned: store() indexes its records as it writes them.
  struct Scanned {
    size_t pack;  // index into packs_, or SIZE_MAX for a pack new to this object
    std::string path;
    int fd;
    uint64_t from;
    PackScan scan;
  };
  std::vector<Scanned> scanned;
  std::vector<std::string> known;
  {
    std::shared_lock lock(index_mutex_);
    for (size_t i = 0; i < packs_.size(); ++i) {
      known.push_back(packs_[i].path);
      if (i != writer_pack_) scanned.push_back({i, packs_[i].path, packs_[i].fd, packs_[i].scanned_end, {}});
    }
  }
  for (const std::string& path : pack_files(settings_dir_)) {
    if (std::find(known.begin(), known.end(), path) != known.end()) continue;
    std::string error;
    const int fd = open_regular_file(path, error);  // never opens a FIFO someone named *.pack
    if (fd >= 0) scanned.push_back({SIZE_MAX, path, fd, 0, {}});
  }
  for (Scanned& s : scanned) s.scan = scan_pack(s.fd, file_size_of(s.fd), config_.size, s.from);
  std::unique_lock lock(index_mutex_);
  for (Scanned& s : scanned) {
    if (s.pack == SIZE_MAX) {
      packs_.push_back({s.path, s.fd, 0});
      s.pack = packs_.size() - 1;
    }
    packs_[s.pack].scanned_end = std::max(packs_[s.pack].scanned_end, s.scan.valid_end);
    // Within a pack the later copy wins (a damaged record's recomputed copy is appended after
    // it); across packs the first found.
    for (const PackSlot& slot : s.scan.slots) {
      auto [it, added] = index_.emplace(slot.key, Location{s.pack, slot.offset});
      if (!added && it->second.pack == s.pack) it->second.offset = slot.offset;
    }
  }
}

bool PreprocessCache::open_writer() {
  std::error_code ec;
  fs::create_directories(settings_dir_, ec);
  if (ec) return false;
  // A free pack (no other cache object holds its lock) takes the new entries: sequential runs
  // fill the same packs. It is scanned again under the lock, as it may have grown since.
  int fd = -1;
  std::string path;
  uint64_t end = 0;
  for (const std::string& candidate : pack_files(settings_dir_)) {
    if (regular_file_problem(candidate) != "") continue;
    fd = ::open(candidate.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      const uint64_t size = file_size_of(fd);
      end = scan_pack(fd, size, config_.size).valid_end;
      // What follows the last whole record is a dead writer's torn tail (or not a pack at all):
      // nobody can be writing it, since writers hold this lock.
      if (end == size || ::ftruncate(fd, static_cast<off_t>(end)) == 0) {
        path = candidate;
        break;
      }
    }
    ::close(fd);
    fd = -1;
  }
  if (fd < 0) {
    std::random_device random;
    path = settings_dir_ + "/" + std::to_string(::getpid()) + "-" + std::to_string(random()) + ".pack";
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {  // only a stranger who guessed the name holds it
      ::close(fd);
      return false;
    }
    end = 0;
  }
  refresh();  // indexes the chosen pack's records (a known pack's, or a new one's: none)
  std::unique_lock lock(index_mutex_);
  auto known = std::find_if(packs_.begin(), packs_.end(), [&](const Pack& p) { return p.path == path; });
  if (known == packs_.end()) {
    const int reader = ::dup(fd);  // the same open file: closing it does not release the flock
    if (reader < 0) {
      ::close(fd);
      return false;
    }
    packs_.push_back({path, reader, end});
    known = packs_.end() - 1;
  }
  writer_fd_ = fd;
  writer_pack_ = static_cast<size_t>(known - packs_.begin());
  writer_end_ = end;
  return true;
}

void PreprocessCache::store(const std::string& key, const cv::Mat& rgb) {
  // Only what a scan will accept: one odd record would end the scan of its pack.
  if (rgb.type() != CV_8UC3 || rgb.rows != config_.size || rgb.cols != config_.size) return;
  std::lock_guard write_lock(write_mutex_);
  if (writing_failed_) return;
  if (writer_fd_ < 0 && !open_writer()) {
    writing_failed_ = true;
    return;
  }
  const std::string record = encode_pack_record(key, rgb);
  if (!write_exactly(writer_fd_, writer_end_, record)) {
    // A full disk: cut the half record off, keep what was whole, and run on without the cache.
    if (::ftruncate(writer_fd_, static_cast<off_t>(writer_end_)) != 0) {}
    writing_failed_ = true;
    return;
  }
  // Indexed only once whole, so no thread reads a record still being written. A key already
  // indexed (a damaged record recomputed) now points at the new copy.
  std::unique_lock lock(index_mutex_);
  index_[key] = Location{writer_pack_, writer_end_};
  writer_end_ += record.size();
  packs_[writer_pack_].scanned_end = std::max(packs_[writer_pack_].scanned_end, writer_end_);
}

bool PreprocessCache::find(const std::string& key, int& fd, uint64_t& offset) {
  std::shared_lock lock(index_mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  fd = packs_[it->second.pack].fd;
  offset = it->second.offset;
  return true;
}

cv::Mat PreprocessCache::load(const std::string& path) {
  std::vector<uint8_t> bytes = read_bytes(path);
  std::string key;
  if (!dir_.empty()) {
    // The file's bytes are hashed on every load, hits included, so the hash must cost little
    // next to decoding: XXH3 (common/content_hash.h), 20x cheaper than SHA-256.
    key = content_hash(bytes.data(), bytes.size());
    key = content_hash((key + "|" + config_key_).data(), key.size() + 1 + config_key_.size());
    int fd = -1;
    uint64_t offset = 0;
    bool found = find(key, fd, offset);
    if (!found) {
      // Another process (a rank beside this one) may have stored it since the last scan. At
      // most once a second: a filling epoch misses on every image.
      const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now().time_since_epoch()).count();
      int64_t last = last_refresh_ms_;
      if (now - last >= 1000 && last_refresh_ms_.compare_exchange_strong(last, now)) {
        refresh();
        found = find(key, fd, offset);
      }
    }
    if (found) {
      cv::Mat rgb = read_pack_record(fd, offset, key, config_.size);
      if (!rgb.empty()) {
        ++hits_;
        return rgb;
      }
      // A damaged record (a bad sector, a foreign file) is recomputed and stored anew.
    }
  }
  ++misses_;
  DecodedImage decoded = decode_image_bytes(bytes);
  if (!decoded.ok()) throw UserError(path + ": " + decoded.error);
  cv::Mat out = preprocess(decoded.rgb, config_);
  if (!key.empty()) store(key, out);
  return out;
}

}  // namespace leuko
