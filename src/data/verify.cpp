#include "data/verify.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "common/error.h"
#include "common/parallel.h"
#include "common/regular_file.h"
#include "common/sha256.h"
#include "data/csv.h"
#include "data/folder_listing.h"
#include "data/image_decode.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

// The sha256 of `rgb` written as the Kaggle C-NMC training BMPs are: a 54-byte header
// (BITMAPFILEHEADER + BITMAPINFOHEADER), 24-bit BGR rows bottom-up, each padded to 4 bytes,
// biSizeImage filled in, 3779 pixels per metre (96 dpi) both ways. Written by hand because no
// encoder at hand writes those resolution fields (OpenCV writes 0, PIL 3780). Only the header
// varies between BMP writers, so a copy whose pixels are the original's hashes to the manifest's
// sha256 here; a single changed pixel does not.
std::string kaggle_training_bmp_sha256(const cv::Mat& rgb) {
  const uint32_t width = static_cast<uint32_t>(rgb.cols), height = static_cast<uint32_t>(rgb.rows);
  const uint32_t row_bytes = (width * 3 + 3) / 4 * 4, pixel_bytes = row_bytes * height;
  std::vector<uint8_t> bmp(54 + static_cast<size_t>(pixel_bytes), 0);
  auto put32 = [&](size_t at, uint32_t v) {
    for (int b = 0; b < 4; ++b) bmp[at + b] = static_cast<uint8_t>(v >> (8 * b));
  };
  bmp[0] = 'B';
  bmp[1] = 'M';
  put32(2, static_cast<uint32_t>(bmp.size()));
  put32(10, 54);          // pixel data offset
  put32(14, 40);          // BITMAPINFOHEADER
  put32(18, width);
  put32(22, height);      // positive: bottom-up
  put32(26, 1 | 24 << 16);  // one plane, 24 bits per pixel
  put32(34, pixel_bytes);
  put32(38, 3779);
  put32(42, 3779);
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t* src = rgb.ptr<uint8_t>(static_cast<int>(height - 1 - y));
    uint8_t* dst = bmp.data() + 54 + static_cast<size_t>(y) * row_bytes;
    for (uint32_t x = 0; x < width; ++x) {
      dst[3 * x] = src[3 * x + 2];
      dst[3 * x + 1] = src[3 * x + 1];
      dst[3 * x + 2] = src[3 * x];
    }
  }
  return sha256_bytes(bmp.data(), bmp.size());
}

}  // namespace

VerifyReport verify_against_manifest(const std::string& dir, const std::string& manifest_tsv, int threads) {
  auto t0 = std::chrono::steady_clock::now();
  CsvTable manifest = read_csv(manifest_tsv, '\t');
  int c_path = manifest.column("path"), c_sha = manifest.column("sha256"), c_size = manifest.column("size_bytes");
  if (c_path < 0 || c_sha < 0) throw UserError(manifest_tsv + ": expected columns path and sha256");

  // Manifest paths start at "C-NMC_Leukemia/"; accept that folder itself or any parent of it.
  fs::path base(dir);
  if (path_status(dir).type != PathType::kFolder) throw UserError(dir + ": not a directory");
  std::string first = manifest.rows.empty() ? "" : manifest.rows[0][c_path];
  std::string top = first.substr(0, first.find('/'));
  // A copy of the top folder under another name (C-NMC_Leukemia renamed cnmc/) is recognised by
  // the manifest's next folder (training_data) inside it: its files are the manifest's top/...
  std::set<std::string> seconds;  // the folders right under top (testing_data, training_data, ...)
  for (const auto& row : manifest.rows) {
    const std::string& p = row[static_cast<size_t>(c_path)];
    if (p.compare(0, top.size() + 1, top + "/") == 0) seconds.insert(p.substr(top.size() + 1, p.find('/', top.size() + 1) - top.size() - 1));
  }
  auto holds_a_second = [&](const fs::path& folder) {
    return std::any_of(seconds.begin(), seconds.end(), [&](const std::string& sub) {
      return !sub.empty() && path_status((folder / sub).string()).type == PathType::kFolder;
    });
  };
  bool renamed = false;
  if (!top.empty() && base.filename() == top) base = base.parent_path();
  else if (!top.empty() && path_status((base / top).string()).type != PathType::kFolder &&
           path_status((fs::path(dir) / ".." / top).string()).type == PathType::kFolder)
    base = fs::path(dir) / "..";
  else if (!top.empty() && path_status((base / top).string()).type != PathType::kFolder && holds_a_second(base))
    renamed = true;

  VerifyReport report;
  report.root = base.string();
  report.manifest_rows = manifest.rows.size();
  std::map<std::string, size_t> expected;  // relative path -> row
  for (size_t r = 0; r < manifest.rows.size(); ++r) expected[manifest.rows[r][c_path]] = r;

  // Manifest path, and the download's file that stands for it: the same path, or a copy under
  // another image extension (X.png for X.bmp) when the download lacks the path itself.
  std::vector<std::pair<std::string, std::string>> present;
  fs::path scan_root = top.empty() || renamed ? base : base / top;
  if (path_status(scan_root.string()).type == PathType::kFolder) {
    // A symlink loop, FIFO or unreadable folder in the download is listed, never the end of it.
    FolderListing listing = list_files(scan_root.string());
    // Listed paths are scan_root / ..., and scan_root is base / top: cut the prefix (fs::relative
    // would resolve symlinks and name the target instead of the entry).
    const std::string prefix = (base / "").string(), renamed_as = renamed ? top + "/" : "";
    auto relative = [&](const std::string& path) {
      return path.compare(0, prefix.size(), prefix) == 0 ? renamed_as + path.substr(prefix.size()) : path;
    };
    for (const auto& sk : listing.skipped) {
      report.unreadable.push_back(relative(sk.path));
      report.unreadable_reasons.push_back(sk.reason);
    }
    std::set<std::string> listed;
    for (const auto& file : listing.files) listed.insert(relative(file));
    std::map<std::string, std::string> by_stem;  // manifest path without its extension -> path
    for (const auto& [rel, row] : expected) by_stem.emplace(fs::path(rel).replace_extension().string(), rel);
    std::set<std::string> stood_for;
    for (const std::string& rel : listed) {
      // The Kaggle tree also holds the labels CSV, which the manifest does not list; only images
      // can be extra.
      if (expected.count(rel)) {
        present.emplace_back(rel, rel);
        continue;
      }
      if (!has_image_extension(rel)) {
        report.ignored.push_back(rel);
        continue;
      }
      auto original = by_stem.find(fs::path(rel).replace_extension().string());
      if (original != by_stem.end() && !listed.count(original->second) && stood_for.insert(original->second).second)
        present.emplace_back(original->second, rel);
      else
        report.extra.push_back(rel);
    }
  }
  std::sort(present.begin(), present.end());
  std::sort(report.extra.begin(), report.extra.end());

  enum class Verdict { Ok, Lossless, Mismatched };
  std::vector<Verdict> verdict(present.size(), Verdict::Ok);
  std::vector<std::string> reason(present.size());
  std::vector<double> hashed(present.size(), 0);
  std::vector<char> decoded(present.size(), 0);
  parallel_for(present.size(), threads, [&](size_t i) {
    const auto& [rel, file_rel] = present[i];
    const auto& row = manifest.rows[expected[rel]];
    fs::path file = renamed ? base / file_rel.substr(top.size() + 1) : base / file_rel;
    std::error_code size_ec;
    auto size = fs::file_size(file, size_ec);
    if (file_rel != rel) {
      reason[i] = "a copy as " + fs::path(file_rel).filename().string();
    } else if (c_size >= 0 && !row[c_size].empty() && !size_ec && std::to_string(size) != row[c_size]) {
      reason[i] = "size " + std::to_string(size) + " bytes, expected " + row[c_size];  // cannot match: not hashed
    } else {
      try {
        std::string digest = sha256_file(file.string());
        hashed[i] = static_cast<double>(size);
        if (digest == row[c_sha]) return;
        reason[i] = "sha256 differs";
      } catch (const UserError& e) {
        verdict[i] = Verdict::Mismatched;
        reason[i] = e.what();
        return;
      }
    }
    // The bytes differ: do the pixels? (A corrupt or non-image file fails to decode: mismatched.)
    DecodedImage image = decode_image_file(file.string());
    decoded[i] = 1;
    if (image.ok() && kaggle_training_bmp_sha256(image.rgb) == row[c_sha]) {
      verdict[i] = Verdict::Lossless;
      return;
    }
    verdict[i] = Verdict::Mismatched;
    if (!image.ok()) {
      reason[i] += "; " + image.error;
      return;
    }
    // The preliminary-test BMPs carry a 124-byte BITMAPV5HEADER whose fields cannot be guessed:
    // their copies are unverified, which is not the same as altered.
    const long long pixel_bytes = (image.rgb.cols * 3LL + 3) / 4 * 4 * image.rgb.rows;
    long long header = 54;  // a manifest without a (readable) size: assume the training files' header
    if (c_size >= 0 && !row[c_size].empty()) {
      char* end = nullptr;
      const long long expected_size = std::strtoll(row[c_size].c_str(), &end, 10);
      if (end && *end == '\0') header = expected_size - pixel_bytes;
    }
    reason[i] += header == 54 ? "; its pixels do not rebuild the original either"
                              : "; the original's " + std::to_string(header) +
                                    "-byte BMP header is a variant this check cannot rebuild: pixels unverified";
  });
  std::set<std::string> seen;
  for (size_t i = 0; i < present.size(); ++i) {
    const std::string& rel = present[i].first;
    seen.insert(rel);
    report.bytes_hashed += hashed[i];
    report.images_decoded += decoded[i];
    if (verdict[i] == Verdict::Ok) {
      report.ok.push_back(rel);
    } else if (verdict[i] == Verdict::Lossless) {
      report.lossless.push_back(rel);
    } else {
      report.mismatched.push_back(rel);
      report.mismatch_reasons.push_back(reason[i]);
    }
  }
  for (const auto& [rel, row] : expected)
    if (!seen.count(rel)) report.missing.push_back(rel);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

std::string verify_to_text(const VerifyReport& r, size_t show_first) {
  std::ostringstream out;
  out << "root        " << r.root << "\nmanifest    " << r.manifest_rows << " files\n";
  auto section = [&](const char* name, const std::vector<std::string>& items, const std::vector<std::string>* why) {
    out << name << items.size() << "\n";
    for (size_t i = 0; i < items.size() && i < show_first; ++i)
      out << "  " << items[i] << (why ? " (" + (*why)[i] + ")" : "") << "\n";
    if (items.size() > show_first) out << "  … and " << items.size() - show_first << " more\n";
  };
  out << "ok          " << r.ok.size() << "\n";
  if (!r.lossless.empty())
    out << "lossless    " << r.lossless.size()
        << " (other bytes, the original's pixels: PNG copies or re-encoded BMPs rebuild the Kaggle file exactly)\n";
  section("mismatched  ", r.mismatched, &r.mismatch_reasons);
  section("missing     ", r.missing, nullptr);
  section("extra       ", r.extra, nullptr);
  if (!r.unreadable.empty()) section("unreadable  ", r.unreadable, &r.unreadable_reasons);
  if (!r.ignored.empty()) out << "not images  " << r.ignored.size() << " (ignored, e.g. " << r.ignored[0] << ")\n";
  out << "hashed      " << static_cast<long long>(r.bytes_hashed / 1e6) << " MB"
      << (r.images_decoded ? ", decoded " + std::to_string(r.images_decoded) + " images" : "") << " in " << r.seconds
      << " s\n";
  out << (r.all_ok() ? "verdict     OK\n" : "verdict     NOT OK\n");
  return out.str();
}

nlohmann::json verify_to_json(const VerifyReport& r) {
  nlohmann::json j;
  j["root"] = r.root;
  j["manifest_rows"] = r.manifest_rows;
  j["ok"] = r.ok.size();
  j["lossless"] = r.lossless.size();
  j["mismatched"] = r.mismatched.size();
  j["missing"] = r.missing.size();
  j["extra"] = r.extra.size();
  auto first = [](const std::vector<std::string>& v) {
    return std::vector<std::string>(v.begin(), v.begin() + std::min<size_t>(v.size(), 20));
  };
  j["first_mismatched"] = first(r.mismatched);
  j["first_missing"] = first(r.missing);
  j["first_extra"] = first(r.extra);
  j["unreadable"] = nlohmann::json::array();
  for (size_t i = 0; i < r.unreadable.size(); ++i)
    j["unreadable"].push_back({{"path", r.unreadable[i]}, {"reason", r.unreadable_reasons[i]}});
  j["seconds"] = r.seconds;
  return j;
}

}  // namespace leuko
