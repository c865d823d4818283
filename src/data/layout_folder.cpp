#include <algorithm>
#include <filesystem>
#include <map>

#include "common/error.h"
#include "data/folder_listing.h"
#include "data/layouts.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

std::string split_name(const std::string& dir_name) {
  std::string n = dir_name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "train" || n == "training") return "train";
  if (n == "val" || n == "valid" || n == "validation") return "val";
  if (n == "test" || n == "testing") return "test";
  return {};
}

std::string name_of(const std::string& path) { return fs::path(path).filename().string(); }

fs::path canonical_or_self(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::canonical(path, ec);
  return ec ? fs::path(path).lexically_normal() : p;
}

// `inner` is `outer` or lies below it.
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end();
}

struct ClassFolder {
  std::string split, path, name;
  FolderListing listing;
};

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", '" : "'") + names[i] + "'";
  return out;
}

// At least two classes are needed to train anything; say which folders were found and why they
// do not make two classes, so a wrapper folder or an empty class is obvious from the message.
void require_two_classes(const std::string& root, const std::vector<std::string>& classes,
                         const std::vector<std::string>& empty, const std::vector<ClassFolder>& folders) {
  if (classes.size() >= 2) return;
  if (folders.empty()) throw UserError(root + ": no class folders found (expected ROOT/<class>/<images>)");
  std::string empties = empty.empty() ? "" : "; empty: " + quoted_list(empty);
  if (classes.empty()) throw UserError(root + ": no class folder holds any file" + empties);
  std::string message = root + ": only one class folder found ('" + classes[0] + "')" + empties +
                        "; at least two are needed (ROOT/<class>/<images>)";
  // A download that wraps the class folders in one more folder (aria-all/Original/<class>)
  // looks exactly like one class with subfolders (Benign/day1, Benign/day2): the user decides.
  std::vector<SkippedFile> ignored;
  for (const auto& f : folders)
    if (f.name == classes[0] && list_subfolders(f.path, ignored).size() >= 2)
      message += "; if '" + classes[0] + "' holds the class folders, give " + f.path;
  throw UserError(message);
}

}  // namespace

Dataset read_image_folder(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw UserError(root + ": not a directory");
  Dataset ds;
  ds.layout = "folder";
  ds.root = root;
  // A class is a folder directly under the root (or under ROOT/{train,val,test}); its images
  // are found at any depth beneath it, so Benign/day1 and Benign/day2 are both Benign.
  auto top = list_subfolders(root, ds.skipped);
  bool split_layout = !top.empty() && std::all_of(top.begin(), top.end(), [](const std::string& p) {
    return !split_name(name_of(p)).empty();
  });
  std::vector<std::pair<std::string, std::string>> split_dirs;
  if (split_layout)
    for (const auto& d : top) split_dirs.push_back({split_name(name_of(d)), d});
  else
    split_dirs.push_back({"all", root});

  const fs::path canonical_root = canonical_or_self(root);
  std::map<fs::path, std::string> seen;  // canonical class folder -> as listed
  std::vector<ClassFolder> folders;
  for (const auto& [split, dir] : split_dirs)
    for (const auto& c : list_subfolders(dir, ds.skipped)) {
      fs::path real = canonical_or_self(c);
      if (is_within(canonical_root, real)) {
        ds.skipped.push_back({c, "symlink loop (leads back to " + real.string() + ")"});
        continue;
      }
      if (auto [it, fresh] = seen.insert({real, c}); !fresh) {
        ds.skipped.push_back({c, "the same folder as " + it->second + " (a symlink); not listed twice"});
        continue;
      }
      folders.push_back({split, c, name_of(c), list_files(c)});
    }

  std::map<std::string, size_t> files_per_class;
  for (const auto& f : folders) files_per_class[f.name] += f.listing.files.size();
  std::vector<std::string> empty;
  for (const auto& [name, n] : files_per_class) (n ? ds.classes : empty).push_back(name);
  require_two_classes(root, ds.classes, empty, folders);

  for (const auto& f : folders) {
    ds.skipped.insert(ds.skipped.end(), f.listing.skipped.begin(), f.listing.skipped.end());
    if (files_per_class[f.name] == 0) {
      ds.skipped.push_back({f.path, "empty class folder (no files): not used as a class"});
      continue;
    }
    for (const auto& file : f.listing.files) {
      Sample s;
      s.path = file;
      s.label = ds.class_index(f.name);
      s.split = f.split;
      ds.samples.push_back(s);
    }
  }
  return ds;
}

}  // namespace leuko
