#include "data/cnmc_labels.h"

#include <filesystem>
#include <set>

#include "common/error.h"
#include "data/csv.h"
#include "data/layouts.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {
const char* class_name(int label) { return label == 0 ? "all" : "hem"; }
}  // namespace

CnmcLabels read_cnmc_labels(const std::vector<std::string>& csv_paths) {
  CnmcLabels out;
  for (const auto& csv : csv_paths) {
    out.csv = csv;
    CsvTable table = read_csv(csv);
    int c_orig = table.column("Patient_ID"), c_new = table.column("new_names"), c_label = table.column("labels");
    if (c_new < 0 || c_label < 0) throw UserError(csv + ": expected columns Patient_ID,new_names,labels");
    for (size_t r = 0; r < table.rows.size(); ++r) {
      const auto& row = table.rows[r];
      const std::string where = csv + ":" + std::to_string(table.line_numbers[r]);
      const std::string value = trim_space(row[c_label]), name = trim_space(row[c_new]);
      int label = value == "1" ? 0 : value == "0" ? 1 : kUnlabelled;
      if (label == kUnlabelled) {
        out.bad_rows.push_back({where, "label '" + row[c_label] + "' is neither 1 (all) nor 0 (hem)"});
        continue;
      }
      // A new name is a file of the renamed-image folder. One with a folder in it ("/abs/8.bmp",
      // "../x.bmp") would be joined onto the folder as another path, and could name a file the
      // folder does hold under its own row (found by fuzz/fuzz_cnmc_labels.cpp).
      if (name.find('\0') != std::string::npos) {
        out.bad_rows.push_back({where, "new name holds a NUL byte"});
        continue;
      }
      if (name.empty() || name == "." || name == ".." || name.find_first_of("/\\") != std::string::npos) {
        out.bad_rows.push_back({where, "new name '" + name + "' is not a file name"});
        continue;
      }
      CnmcLabel entry{label, c_orig >= 0 ? cnmc_patient_from_name(trim_space(row[c_orig])) : "", where};
      auto [it, fresh] = out.by_name.insert({name, entry});
      if (fresh) continue;
      if (it->second.label == label) ++out.repeated;
      else if (!out.conflicting.count(name))
        out.conflicting[name] = std::string("labelled ") + class_name(it->second.label) + " at " + it->second.where +
                                " but " + class_name(label) + " at " + where + "; left out";
    }
  }
  return out;
}

void label_cnmc_images(const CnmcLabels& labels, const std::string& folder, const std::vector<std::string>& files,
                       Dataset& ds) {
  std::set<std::string> seen;
  for (const auto& file : files) {
    const std::string name = fs::path(file).filename().string();
    auto it = labels.by_name.find(name);
    if (it == labels.by_name.end()) {
      ds.skipped.push_back({file, labels.csv.empty() ? "no labels CSV in validation_data" : "not listed in " + labels.csv});
      continue;
    }
    seen.insert(name);
    if (auto why = labels.conflicting.find(name); why != labels.conflicting.end()) {
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
  for (const auto& [name, entry] : labels.by_name)
    if (!seen.count(name)) ds.skipped.push_back({(fs::path(folder) / name).string(), "listed in labels CSV but missing"});
}

}  // namespace leuko
