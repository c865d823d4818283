#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"
#include "data/csv.h"
#include "data/layouts.h"

namespace leuko {
namespace fs = std::filesystem;

static std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    out.push_back(it->path());
  std::sort(out.begin(), out.end());
  return out;
}

bool is_cnmc_root(const std::string& dir) {
  fs::path training = fs::path(dir) / "training_data";
  if (!fs::is_directory(training)) return false;
  for (const auto& entry : sorted_entries(training))
    if (fs::is_directory(entry) && entry.filename().string().rfind("fold_", 0) == 0) return true;
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

static void add_unlabelled(Dataset& ds, const fs::path& file, const std::string& split) {
  Sample s;
  s.path = file.string();
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

  for (const auto& fold : sorted_entries(fs::path(root) / "training_data")) {
    if (!fs::is_directory(fold)) continue;
    std::string fold_name = fold.filename().string();
    for (const auto& class_dir : sorted_entries(fold)) {
      if (!fs::is_directory(class_dir)) continue;
      std::string cls = class_dir.filename().string();
      std::transform(cls.begin(), cls.end(), cls.begin(), [](unsigned char c) { return std::tolower(c); });
      int label = ds.class_index(cls);
      if (label == kUnlabelled) {
        ds.skipped.push_back({class_dir.string(), "unknown C-NMC class folder (expected all or hem)"});
        continue;
      }
      for (const auto& file : sorted_entries(class_dir)) {
        if (!fs::is_regular_file(file)) continue;
        Sample s;
        s.path = file.string();
        s.label = label;
        s.split = "train";
        s.fold = fold_name;
        s.patient = cnmc_patient_from_name(file.filename().string());
        ds.samples.push_back(s);
      }
    }
  }

  // Preliminary-phase test set: images renamed N.bmp; the labels CSV maps them back to the
  // original name (whose second field is the patient) and to 1 = ALL, 0 = HEM.
  fs::path validation = fs::path(root) / "validation_data";
  if (fs::is_directory(validation)) {
    std::map<std::string, std::pair<int, std::string>> labels;  // new name -> (label, patient)
    std::string labels_csv;
    for (const auto& entry : sorted_entries(validation)) {
      if (entry.extension() != ".csv") continue;
      labels_csv = entry.string();
      CsvTable table = read_csv(labels_csv);
      int c_orig = table.column("Patient_ID"), c_new = table.column("new_names"), c_label = table.column("labels");
      if (c_new < 0 || c_label < 0)
        throw UserError(labels_csv + ": expected columns Patient_ID,new_names,labels");
      for (size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        int label = row[c_label] == "1" ? 0 : row[c_label] == "0" ? 1 : kUnlabelled;
        if (label == kUnlabelled) {
          ds.skipped.push_back({labels_csv + ":" + std::to_string(table.line_numbers[r]),
                                "label '" + row[c_label] + "' is neither 1 (all) nor 0 (hem)"});
          continue;
        }
        labels[row[c_new]] = {label, c_orig >= 0 ? cnmc_patient_from_name(row[c_orig]) : ""};
      }
    }
    for (const auto& sub : sorted_entries(validation)) {
      if (!fs::is_directory(sub)) continue;
      std::set<std::string> seen;
      for (const auto& file : sorted_entries(sub)) {
        if (!fs::is_regular_file(file)) continue;
        std::string name = file.filename().string();
        auto it = labels.find(name);
        if (it == labels.end()) {
          ds.skipped.push_back({file.string(), labels_csv.empty() ? "no labels CSV in validation_data"
                                                                  : "not listed in " + labels_csv});
          continue;
        }
        seen.insert(name);
        Sample s;
        s.path = file.string();
        s.label = it->second.first;
        s.patient = it->second.second;
        s.split = "val";
        ds.samples.push_back(s);
      }
      for (const auto& [name, lp] : labels)
        if (!seen.count(name)) ds.skipped.push_back({(sub / name).string(), "listed in labels CSV but missing"});
    }
  }

  fs::path testing = fs::path(root) / "testing_data";
  if (fs::is_directory(testing))
    for (const auto& sub : sorted_entries(testing))
      if (fs::is_directory(sub))
        for (const auto& file : sorted_entries(sub))
          if (fs::is_regular_file(file)) add_unlabelled(ds, file, "test");
  return ds;
}

}  // namespace leuko
