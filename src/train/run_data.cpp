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

RunData prepare_run_data(const RunDataRequest& q) {
  RunData r;
  if (!q.split_csv.empty()) {
    Dataset ds = open_dataset(q.split_csv, DataFormat::Csv);
    r.skipped = validate_samples(ds, q.threads) + ds.skipped.size();
    for (const auto& s : ds.samples)
      if (s.split != "train" && s.split != "val" && s.split != "test")
        throw UserError(q.split_csv + ": " + s.path + " has split '" + s.split + "'; a run needs train, val and test");
    std::vector<std::string> paths;
    for (const auto& s : ds.samples) paths.push_back(s.path);
    r.audit = audit_split(ds, hash_files(paths, q.threads), kNearDuplicateBits);
    r.split_by = "file";
    r.dataset = std::move(ds);
  } else {
    Dataset ds = open_dataset(q.data, q.format);
    r.skipped = validate_samples(ds, q.threads);
    SplitOptions o;
    o.by = q.by;
    o.val = q.val;
    o.test = q.test;
    o.seed = q.seed;
    o.threads = q.threads;
    SplitResult split = make_split(ds, o);
    r.audit = split.audit;
    r.split_by = choice_name(split.by);
    r.dataset = std::move(split.dataset);
  }
  // The run keeps a copy of its split, so it is self-contained.
  if (!q.save_split_to.empty()) write_split_csv(q.save_split_to, r.dataset);
  for (const char* name : {"train", "val"})
    if (r.split(name).empty()) throw UserError(std::string("the ") + name + " split is empty: not enough images or groups");
  r.fingerprint = data_fingerprint(r.dataset);
  return r;
}

}  // namespace leuko
