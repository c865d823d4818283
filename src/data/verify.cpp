#include "data/verify.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/parallel.h"
#include "common/regular_file.h"
#include "common/sha256.h"
#include "data/csv.h"
#include "data/folder_listing.h"
#include "data/image_decode.h"

namespace leuko {
namespace fs = std::filesystem;

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

  std::vector<std::string> present;
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
    for (const auto& file : listing.files) {
      std::string rel = relative(file);
      // The Kaggle tree also holds the labels CSV, which the manifest does not list; only images
      // can be extra.
      if (expected.count(rel)) present.push_back(rel);
      else if (has_image_extension(rel)) report.extra.push_back(rel);
      else report.ignored.push_back(rel);
    }
  }
  std::sort(present.begin(), present.end());
  std::sort(report.extra.begin(), report.extra.end());

  std::vector<std::string> verdict(present.size());  // "" = ok, else the reason
  std::vector<double> hashed(present.size(), 0);
  parallel_for(present.size(), threads, [&](size_t i) {
    const auto& row = manifest.rows[expected[present[i]]];
    fs::path file = renamed ? base / present[i].substr(top.size() + 1) : base / present[i];
    std::error_code size_ec;
    auto size = fs::file_size(file, size_ec);
    if (c_size >= 0 && !row[c_size].empty() && !size_ec && std::to_string(size) != row[c_size]) {
      verdict[i] = "size " + std::to_string(size) + " bytes, expected " + row[c_size];
      return;  // no need to hash: it cannot match
    }
    try {
      std::string digest = sha256_file(file.string());
      hashed[i] = static_cast<double>(size);
      if (digest != row[c_sha]) verdict[i] = "sha256 differs";
    } catch (const UserError& e) {
      verdict[i] = e.what();
    }
  });
  std::set<std::string> seen(present.begin(), present.end());
  for (size_t i = 0; i < present.size(); ++i) {
    report.bytes_hashed += hashed[i];
    if (verdict[i].empty()) {
      report.ok.push_back(present[i]);
    } else {
      report.mismatched.push_back(present[i]);
      report.mismatch_reasons.push_back(verdict[i]);
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
  section("mismatched  ", r.mismatched, &r.mismatch_reasons);
  section("missing     ", r.missing, nullptr);
  section("extra       ", r.extra, nullptr);
  if (!r.unreadable.empty()) section("unreadable  ", r.unreadable, &r.unreadable_reasons);
  if (!r.ignored.empty()) out << "not images  " << r.ignored.size() << " (ignored, e.g. " << r.ignored[0] << ")\n";
  out << "hashed      " << static_cast<long long>(r.bytes_hashed / 1e6) << " MB in " << r.seconds << " s\n";
  out << (r.all_ok() ? "verdict     OK\n" : "verdict     NOT OK\n");
  return out.str();
}

nlohmann::json verify_to_json(const VerifyReport& r) {
  nlohmann::json j;
  j["root"] = r.root;
  j["manifest_rows"] = r.manifest_rows;
  j["ok"] = r.ok.size();
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
