#include <algorithm>
#include <cctype>
#include <filesystem>

#include "common/error.h"
#include "common/regular_file.h"
#include "data/cnmc_labels.h"
#include "data/folder_listing.h"
#include "data/layouts.h"

namespace leuko {
namespace fs = std::filesystem;

static std::string name_of(const std::string& path) { return fs::path(path).filename().string(); }

// Every query below answers instead of throwing: a symlink loop in the tree is listed as
// skipped (folder_listing.h), never the end of the scan.
static bool is_folder(const fs::path& p) { return path_status(p.string()).type == PathType::kFolder; }

bool is_cnmc_root(const std::string& dir) {
  fs::path training = fs::path(dir) / "training_data";
  if (!is_folder(training)) return false;
  std::vector<SkippedFile> ignored;
  for (const auto& entry : list_subfolders(training.string(), ignored))
    if (name_of(entry).rfind("fold_", 0) == 0) return true;
  return false;
}

std::string find_cnmc_root(const std::string& dir) {
  if (is_cnmc_root(dir)) return dir;
  fs::path nested = fs::path(dir) / "C-NMC_Leukemia";
  if (is_cnmc_root(nested.string())) return nested.string();
  return {};
}

std::string cnmc_patient_from_name(const std::string& file_name) {
  // UID_<patient>_<image>_<cell>_<class>.bmp; fold 2 of the real set writes one patient as "h3".
  std::string stem = fs::path(file_name).stem().string();
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= stem.size(); ++i) {
    if (i == stem.size() || stem[i] == '_') {
      parts.push_back(stem.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() < 2) return {};
  std::string uid = parts[0];
  std::transform(uid.begin(), uid.end(), uid.begin(), [](unsigned char c) { return std::toupper(c); });
  if (uid != "UID" || parts[1].empty()) return {};
  std::string patient = parts[1];
  std::transform(patient.begin(), patient.end(), patient.begin(), [](unsigned char c) { return std::toupper(c); });
  return patient;
}

static void add_unlabelled(Dataset& ds, const std::string& file, const std::string& split) {
  Sample s;
  s.path = file;
  s.split = split;
  ds.samples.push_back(s);
}

Dataset read_cnmc(const std::string& root_in) {
  std::string root = find_cnmc_root(root_in);
  if (root.empty()) throw UserError(root_in + ": not a C-NMC tree (no training_data/fold_* folders)");
  Dataset ds;
  ds.layout = "cnmc";
  ds.root = root;
  ds.classes = {"all", "hem"};

  auto files_in = [&ds](const std::string& dir) {
    FolderListing listing = list_files(dir, {/*recursive=*/false});
    ds.skipped.insert(ds.skipped.end(), listing.skipped.begin(), listing.skipped.end());
    return listing.files;
  };

  for (const auto& fold : list_subfolders((fs::path(root) / "training_data").string(), ds.skipped)) {
    std::string fold_name = name_of(fold);
    for (const auto& class_dir : list_subfolders(fold, ds.skipped)) {
      std::string cls = name_of(class_dir);
      std::transform(cls.begin(), cls.end(), cls.begin(), [](unsigned char c) { return std::tolower(c); });
      int label = ds.class_index(cls);
      if (label == kUnlabelled) {
        ds.skipped.push_back({class_dir, "unknown C-NMC class folder (expected all or hem)"});
        continue;
      }
      for (const auto& file : files_in(class_dir)) {
        Sample s;
        s.path = file;
        s.label = label;
        s.split = "train";
        s.fold = fold_name;
        s.patient = cnmc_patient_from_name(name_of(file));
        ds.samples.push_back(s);
      }
    }
  }

  // Preliminary-phase test set: images renamed N.bmp; the labels CSV maps them back to the
  // original name (whose second field is the patient) and to 1 = ALL, 0 = HEM.
  fs::path validation = fs::path(root) / "validation_data";
  if (is_folder(validation)) {
    std::vector<std::string> csvs;
    for (const auto& entry : files_in(validation.string()))
      if (fs::path(entry).extension() == ".csv") csvs.push_back(entry);
    CnmcLabels labels = read_cnmc_labels(csvs);
    ds.skipped.insert(ds.skipped.end(), labels.bad_rows.begin(), labels.bad_rows.end());
    if (labels.repeated)
      ds.notes.push_back(labels.csv + ": " + std::to_string(labels.repeated) +
                         " repeated row(s) (same image, same label) counted once");
    std::vector<SkippedFile> listed_above;  // files_in(validation) already named what leads nowhere
    for (const auto& sub : list_subfolders(validation.string(), listed_above))
      label_cnmc_images(labels, sub, files_in(sub), ds);
  }

  fs::path testing = fs::path(root) / "testing_data";
  if (is_folder(testing))
    for (const auto& sub : list_subfolders(testing.string(), ds.skipped))
      for (const auto& file : files_in(sub)) add_unlabelled(ds, file, "test");
  return ds;
}

}  // namespace leuko
