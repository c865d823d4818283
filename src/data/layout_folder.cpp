#include <algorithm>
#include <filesystem>
#include <set>

#include "common/error.h"
#include "data/csv.h"
#include "data/layouts.h"

namespace leuko {
namespace fs = std::filesystem;

static bool hidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

static std::vector<fs::path> subdirs(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (it->is_directory() && !hidden(it->path())) out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

static std::string split_name(const std::string& dir_name) {
  std::string n = dir_name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "train" || n == "training") return "train";
  if (n == "val" || n == "valid" || n == "validation") return "val";
  if (n == "test" || n == "testing") return "test";
  return {};
}

static void collect_class(Dataset& ds, const fs::path& class_dir, int label, const std::string& split) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(class_dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    Sample s;
    s.path = f.string();
    s.label = label;
    s.split = split;
    ds.samples.push_back(s);
  }
}

Dataset read_image_folder(const std::string& root_in) {
  fs::path root(root_in);
  if (!fs::is_directory(root)) throw UserError(root_in + ": not a directory");
  // A download often wraps the class folders in one more folder (aria-all/Original/<class>).
  for (int depth = 0; depth < 3; ++depth) {
    auto dirs = subdirs(root);
    if (dirs.size() != 1) break;
    root = dirs[0];
  }
  Dataset ds;
  ds.layout = "folder";
  ds.root = root.string();
  auto top = subdirs(root);
  bool split_layout = !top.empty() && std::all_of(top.begin(), top.end(), [](const fs::path& p) {
    return !split_name(p.filename().string()).empty();
  });
  std::vector<std::pair<std::string, fs::path>> split_dirs;
  if (split_layout)
    for (const auto& d : top) split_dirs.push_back({split_name(d.filename().string()), d});
  else
    split_dirs.push_back({"all", root});

  std::set<std::string> class_names;
  for (const auto& [split, dir] : split_dirs)
    for (const auto& c : subdirs(dir)) class_names.insert(c.filename().string());
  ds.classes.assign(class_names.begin(), class_names.end());
  if (ds.classes.empty()) throw UserError(root_in + ": no class folders found (expected ROOT/<class>/<images>)");
  for (const auto& [split, dir] : split_dirs)
    for (const auto& c : subdirs(dir)) collect_class(ds, c, ds.class_index(c.filename().string()), split);
  return ds;
}

Dataset read_csv_manifest(const std::string& csv_path) {
  CsvTable table = read_csv(csv_path);
  int c_path = table.column("path"), c_label = table.column("label");
  if (c_path < 0 || c_label < 0) throw UserError(csv_path + ": a dataset CSV needs columns path,label");
  int c_patient = table.column("patient"), c_group = table.column("group"), c_split = table.column("split");
  Dataset ds;
  ds.layout = "csv";
  ds.root = fs::path(csv_path).parent_path().string();
  std::set<std::string> names;
  for (const auto& row : table.rows)
    if (!row[c_label].empty()) names.insert(row[c_label]);
  ds.classes.assign(names.begin(), names.end());
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    Sample s;
    fs::path p(row[c_path]);
    s.path = p.is_absolute() ? p.string() : (fs::path(ds.root) / p).string();
    s.label = row[c_label].empty() ? kUnlabelled : ds.class_index(row[c_label]);
    if (c_patient >= 0) s.patient = row[c_patient];
    if (c_group >= 0) s.group = row[c_group];
    if (c_split >= 0) {
      s.split = row[c_split];
      if (s.split != "train" && s.split != "val" && s.split != "test" && s.split != "all" && !s.split.empty())
        throw UserError(csv_path + ":" + std::to_string(table.line_numbers[r]) + ": split '" + s.split +
                        "' is not train, val, test or all");
    }
    if (s.split.empty()) s.split = "all";
    if (!fs::exists(s.path)) {
      ds.skipped.push_back({s.path, "listed in " + csv_path + " but missing"});
      continue;
    }
    ds.samples.push_back(s);
  }
  return ds;
}

Dataset open_dataset(const std::string& path, DataFormat format) {
  if (!fs::exists(path)) throw UserError(path + ": no such file or directory");
  switch (format) {
    case DataFormat::Cnmc: return read_cnmc(path);
    case DataFormat::Folder: return read_image_folder(path);
    case DataFormat::Csv: return read_csv_manifest(path);
    case DataFormat::Auto: break;
  }
  if (fs::is_regular_file(path)) {
    std::string ext = fs::path(path).extension().string();
    if (ext == ".csv" || ext == ".CSV") return read_csv_manifest(path);
    throw UserError(path + ": a dataset is a folder or a .csv manifest");
  }
  if (!find_cnmc_root(path).empty()) return read_cnmc(path);
  return read_image_folder(path);
}

}  // namespace leuko
