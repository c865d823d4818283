#include "train/run_data.h"

#include <cstdio>
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

namespace {

// Training must not drop a file in silence (a label conflict, a loop, an unreadable image): one
// warning with the count and the first few, and the reader's notes (repeats merged, labels
// trimmed, 12-bit data rescaled). `data scan` lists every one.
void report_left_out(const std::string& source, const Dataset& ds) {
  for (const auto& note : ds.notes) std::fprintf(stderr, "note: %s: %s\n", source.c_str(), note.c_str());
  if (ds.skipped.empty()) return;
  std::fprintf(stderr, "warning: %s: %zu file(s) left out (`leukoscope data scan` lists them all):\n", source.c_str(),
               ds.skipped.size());
  for (size_t i = 0; i < ds.skipped.size() && i < 3; ++i)
    std::fprintf(stderr, "  %s: %s\n", ds.skipped[i].path.c_str(), ds.skipped[i].reason.c_str());
}

}  // namespace

RunData prepare_run_data(const RunDataRequest& q) {
  RunData r;
  if (!q.split_csv.empty()) {
    Dataset ds = open_dataset(q.split_csv, DataFormat::Csv);
    validate_samples(ds, q.threads);  // moves the files that do not decode to ds.skipped
    report_left_out(q.split_csv, ds);
    r.skipped = ds.skipped.size();
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
    validate_samples(ds, q.threads);
    report_left_out(q.data.empty() ? "the data" : q.data, ds);
    r.skipped = ds.skipped.size();
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
  // Checked before the split is kept, so a refused start leaves nothing in the run folder.
  for (const std::string name : {"train", "val"}) {
    if (!r.split(name).empty()) continue;
    if (!q.split_csv.empty())
      throw UserError(q.split_csv + ": no " + name + " rows with a readable image (a run needs train and val)");
    char fractions[96];
    std::snprintf(fractions, sizeof fractions, "--val %g --test %g", q.val, q.test);
    throw UserError((q.data.empty() ? std::string("the data") : q.data) + ": the " + name +
                    " split is empty: too few images or groups for " + fractions);
  }
  // The run keeps a copy of its split, so it is self-contained.
  if (!q.save_split_to.empty()) write_split_csv(q.save_split_to, r.dataset);
  r.fingerprint = data_fingerprint(r.dataset);
  return r;
}

}  // namespace leuko
