#include "data/prediction_inputs.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/error.h"
#include "common/regular_file.h"
#include "data/csv.h"
#include "data/folder_listing.h"
#include "data/image_decode.h"
#include "data/layouts.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

std::string patient_from_name(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  return name.rfind("UID_", 0) == 0 ? cnmc_patient_from_name(name) : "";
}

void add_file(Dataset& ds, const std::string& path, const std::string& patient) {
  Sample s;
  s.path = path;
  s.patient = patient.empty() ? patient_from_name(path) : patient;
  ds.samples.push_back(s);
}

void add_folder(Dataset& ds, const fs::path& dir) {
  FolderListing listing = list_files(dir.string(), {/*recursive=*/true, /*skip_hidden=*/true});
  ds.skipped.insert(ds.skipped.end(), listing.skipped.begin(), listing.skipped.end());
  for (const auto& f : listing.files)
    if (has_image_extension(f)) add_file(ds, f, "");
}

void add_manifest(Dataset& ds, const std::string& csv_path) {
  const CsvTable csv = read_csv(csv_path);
  const int path_col = csv.column("path"), patient_col = csv.column("patient");
  if (path_col < 0) throw UserError(csv_path + ": needs a `path` column (and optionally `patient`)");
  const fs::path base = fs::path(csv_path).parent_path();
  for (const auto& row : csv.rows) {
    fs::path p(row[static_cast<size_t>(path_col)]);
    if (p.is_relative()) p = base / p;
    add_file(ds, p.lexically_normal().string(), patient_col >= 0 ? row[static_cast<size_t>(patient_col)] : "");
  }
}

}  // namespace

Dataset gather_prediction_inputs(const std::vector<std::string>& inputs) {
  if (inputs.empty()) throw UserError("INPUT: give image files, folders or a CSV manifest to predict");
  Dataset ds;
  ds.layout = "inputs";
  for (const auto& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      add_folder(ds, input);
    } else if (fs::exists(input, ec)) {
      const std::string ext = fs::path(input).extension().string();
      if (ext == ".csv" || ext == ".CSV") add_manifest(ds, input);
      else add_file(ds, input, "");
    } else {
      throw UserError(input + ": no such file or folder");
    }
  }
  // The same image named twice (a folder and a file inside it) is predicted once.
  std::set<std::string> seen;
  std::vector<Sample> unique;
  for (auto& s : ds.samples) {
    std::error_code ec;  // a symlink loop has no canonical name; regular_file_problem skips it below
    fs::path key = fs::weakly_canonical(s.path, ec);
    if (seen.insert(ec ? s.path : key.string()).second) unique.push_back(std::move(s));
  }
  ds.samples.clear();
  for (auto& s : unique) {
    std::string problem = regular_file_problem(s.path);
    if (problem.empty()) ds.samples.push_back(std::move(s));
    else ds.skipped.push_back({s.path, problem});
  }
  return ds;
}

}  // namespace leuko
