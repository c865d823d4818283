#include "data/folder_listing.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "common/regular_file.h"

namespace leuko {
namespace fs = std::filesystem;
namespace {

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// The entries of one folder, sorted; an unreadable folder is reported and yields none.
std::vector<fs::path> entries_of(const fs::path& dir, std::vector<SkippedFile>& skipped) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    skipped.push_back({dir.string(), "cannot list folder (" + ec.message() + ")"});
    return out;
  }
  for (; it != fs::directory_iterator();) {
    out.push_back(it->path());
    it.increment(ec);
    if (ec) {
      skipped.push_back({dir.string(), "listing stopped early (" + ec.message() + ")"});
      break;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_link(const fs::path& p) {
  std::error_code ec;
  return fs::is_symlink(fs::symlink_status(p, ec));
}

void walk(const fs::path& dir, const ListingOptions& options, FolderListing& out) {
  for (const fs::path& entry : entries_of(dir, out.skipped)) {
    if (options.skip_hidden && hidden(entry)) continue;
    const PathStatus status = path_status(entry.string());
    switch (status.type) {
      case PathType::kRegular: out.files.push_back(entry.string()); break;
      case PathType::kFolder:
        if (!options.recursive) break;
        if (is_link(entry)) out.skipped.push_back({entry.string(), "symlink to a folder, not followed"});
        else walk(entry, options, out);
        break;
      case PathType::kOther:
      case PathType::kUnreachable: out.skipped.push_back({entry.string(), status.problem}); break;
    }
  }
}

}  // namespace

FolderListing list_files(const std::string& dir, ListingOptions options) {
  FolderListing out;
  walk(fs::path(dir), options, out);
  std::sort(out.files.begin(), out.files.end());
  std::sort(out.skipped.begin(), out.skipped.end(),
            [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; });
  return out;
}

std::vector<std::string> list_subfolders(const std::string& dir, std::vector<SkippedFile>& skipped) {
  std::vector<std::string> out;
  for (const fs::path& entry : entries_of(fs::path(dir), skipped)) {
    if (hidden(entry)) continue;
    const PathStatus status = path_status(entry.string());
    if (status.type == PathType::kFolder) out.push_back(entry.string());
    else if (status.type == PathType::kUnreachable) skipped.push_back({entry.string(), status.problem});
  }
  return out;
}

}  // namespace leuko
