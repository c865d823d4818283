#include "train/run_data.h"

#include <filesystem>

#include "common/error.h"
#include "common/sha256.h"
#include "data/layouts.h"
#include "data/scan.h"

namespace leuko {
namespace fs = std::filesystem;

std::vector<Sample> RunData::split(const std::string& name) const {
  std::vector<Sample> out;
  for (const auto& s : dataset.samples)
    if (name == "all" || s.split == name) out.push_back(s);
  return out;
}

std::string data_fingerprint(const Dataset& ds) {
  std::string text;
  for (const auto& s : ds.samples) {
    std::error_code ec;
    auto size = fs::file_size(s.path, ec);
    text += fs::path(s.path).filename().string() + "\t" + std::to_string(ec ? 0 : size) + "\t" +
            std::to_string(s.label) + "\t" + s.split + "\n";
  }
  return sha256_bytes(text.data(), text.size());
}

RunData prepare_run_data(const std::string& data_dir, const std::string& format, const std::string& split_csv,
                         const std::string& split_by, double val, double test, uint64_t seed, int threads,
                         const std::string& save_split_to) {
  RunData r;
  if (!split_csv.empty()) {
    Dataset ds = open_dataset(split_csv, "csv");
    r.skipped = validate_samples(ds, threads) + ds.skipped.size();
    for (const auto& s : ds.samples)
      if (s.split != "train" && s.split != "val" && s.split != "test")
        throw UserError(split_csv + ": " + s.path + " has split '" + s.split + "'; a run needs train, val and test");
    std::vector<std::string> paths;
    for (const auto& s : ds.samples) paths.push_back(s.path);
    r.audit = audit_split(ds, hash_files(paths, threads), kNearDuplicateBits);
    r.split_by = "file";
    r.dataset = std::move(ds);
    // Bring a copy into the run so it is self-contained.
    if (!save_split_to.empty()) write_split_csv(save_split_to, r.dataset);
  } else {
    Dataset ds = open_dataset(data_dir, format);
    r.skipped = validate_samples(ds, threads);
    SplitOptions o;
    o.by = split_by;
    if (o.by == "auto") {
      bool has_patients = !ds.samples.empty() && std::all_of(ds.samples.begin(), ds.samples.end(), [](const Sample& s) {
        return s.label == kUnlabelled || !s.patient.empty();
      });
      o.by = has_patients ? "patient" : "cluster";
    }
    o.val = val;
    o.test = test;
    o.seed = seed;
    o.threads = threads;
    SplitResult split = make_split(ds, o);
    r.audit = split.audit;
    r.split_by = o.by;
    r.dataset = std::move(split.dataset);
    if (!save_split_to.empty()) write_split_csv(save_split_to, r.dataset);
  }
  for (const char* name : {"train", "val"})
    if (r.split(name).empty()) throw UserError(std::string("the ") + name + " split is empty: not enough images or groups");
  r.fingerprint = data_fingerprint(r.dataset);
  return r;
}

}  // namespace leuko
