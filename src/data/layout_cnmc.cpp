#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"
#include "common/regular_file.h"
#include "data/csv.h"
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
    struct Entry {
      int label;
      std::string patient, where;  // where: FILE:LINE of the row
    };
    std::map<std::string, Entry> labels;             // new name -> label, patient
    std::map<std::string, std::string> conflicting;  // new name -> why it is left out
    size_t repeated = 0;
    std::string labels_csv;
    for (const auto& entry : files_in(validation.string())) {
      if (fs::path(entry).extension() != ".csv") continue;
      labels_csv = entry;
      CsvTable table = read_csv(labels_csv);
      int c_orig = table.column("Patient_ID"), c_new = table.column("new_names"), c_label = table.column("labels");
      if (c_new < 0 || c_label < 0)
        throw UserError(labels_csv + ": expected columns Patient_ID,new_names,labels");
      for (size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        const std::string where = labels_csv + ":" + std::to_string(table.line_numbers[r]);
        const std::string value = trim_space(row[c_label]), name = trim_space(row[c_new]);
        int label = value == "1" ? 0 : value == "0" ? 1 : kUnlabelled;
        if (label == kUnlabelled) {
          ds.skipped.push_back({where, "label '" + row[c_label] + "' is neither 1 (all) nor 0 (hem)"});
          continue;
        }
        Entry e{label, c_orig >= 0 ? cnmc_patient_from_name(trim_space(row[c_orig])) : "", where};
        auto [it, fresh] = labels.insert({name, e});
        if (fresh) continue;
        // A repeated row must not let the last label silently win.
        if (it->second.label == label) ++repeated;
        else if (!conflicting.count(name))
          conflicting[name] = "labelled " + ds.classes[static_cast<size_t>(it->second.label)] + " at " +
                              it->second.where + " but " + ds.classes[static_cast<size_t>(label)] + " at " + where +
                              "; left out";
      }
    }
    if (repeated)
      ds.notes.push_back(labels_csv + ": " + std::to_string(repeated) +
                         " repeated row(s) (same image, same label) counted once");
    std::vector<SkippedFile> listed_above;  // files_in(validation) already named what leads nowhere
    for (const auto& sub : list_subfolders(validation.string(), listed_above)) {
      std::set<std::string> seen;
      for (const auto& file : files_in(sub)) {
        std::string name = name_of(file);
        auto it = labels.find(name);
        if (it == labels.end()) {
          ds.skipped.push_back({file, labels_csv.empty() ? "no labels CSV in validation_data"
                                                         : "not listed in " + labels_csv});
          continue;
        }
        seen.insert(name);
        if (auto why = conflicting.find(name); why != conflicting.end()) {
          ds.skipped.push_back({file, why->second});
          continue;
        }
        Sample s;
        s.path = file;
        s.label = it->second.label;
        s.patient = it->second.patient;
        s.split = "val";
        ds.samples.push_back(s);
      }
      for (const auto& [name, entry] : labels)
        if (!seen.count(name))
          ds.skipped.push_back({(fs::path(sub) / name).string(), "listed in labels CSV but missing"});
    }
  }

  fs::path testing = fs::path(root) / "testing_data";
  if (is_folder(testing))
    for (const auto& sub : list_subfolders(testing.string(), ds.skipped))
      for (const auto& file : files_in(sub)) add_unlabelled(ds, file, "test");
  return ds;
}

}  // namespace leuko
