#pragma once
// Stratified, grouped train/val/test splits and the leakage audit printed with every split.
// Grouping is what makes a test honest here: C-NMC has ~100 cells per patient and the Aria set
// has byte-identical and near-identical images at adjacent file numbers, so an image-level random
// split puts the same patient or the same field on both sides.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/choice.h"
#include "data/near_duplicates.h"
#include "data/sample.h"

namespace leuko {

// What a split keeps together. `auto` = a CSV manifest's own split column when it has one (every
// labelled row must), else patient when every image has a patient id, else the near-duplicate
// cluster; `official` keeps the layout's own splits (C-NMC's folds, a manifest's split column).
enum class SplitBy { Auto, Patient, Cluster, Image, Official };
LEUKO_CHOICES(SplitBy, {SplitBy::Auto, "auto"}, {SplitBy::Patient, "patient"}, {SplitBy::Cluster, "cluster"},
              {SplitBy::Image, "image"}, {SplitBy::Official, "official"});

// `auto` resolved for this dataset; any other value is returned as it is (with a note on stderr
// when it makes a manifest's split column be ignored). UserError for a manifest whose split
// column is partial or lacks train or test rows, under `auto`.
SplitBy resolve_split_by(const Dataset& ds, SplitBy by);

struct SplitOptions {
  SplitBy by = SplitBy::Auto;
  double val = 0.15;
  double test = 0.15;
  uint64_t seed = 42;
  int threads = 2;
  int near_duplicate_bits = kNearDuplicateBits;
};

struct LeakageAudit {
  size_t groups_shared = 0;        // groups with samples in more than one split
  size_t patients_shared = 0;      // patients with samples in more than one split (ids known)
  bool patients_known = false;
  size_t near_duplicate_pairs = 0;         // pairs found by the perceptual hash, anywhere
  size_t near_duplicate_pairs_across = 0;  // ... whose two images sit in different splits
  std::vector<std::pair<std::string, std::string>> examples;  // first few leaking pairs / names
  bool clean() const { return groups_shared == 0 && patients_shared == 0 && near_duplicate_pairs_across == 0; }
};

struct SplitResult {
  Dataset dataset;  // labelled samples only, each with group and split filled
  size_t unlabelled_dropped = 0;
  LeakageAudit audit;
  SplitBy by = SplitBy::Patient;  // as resolved
};

// Splits a (validated) dataset. Throws UserError when the grouping is impossible (e.g. --by
// patient on a dataset without patient ids, --by official on a layout without splits).
SplitResult make_split(const Dataset& ds, const SplitOptions& options);

// Audits any assignment (ours or a user's split.csv) for shared groups, patients, near-duplicates.
LeakageAudit audit_split(const Dataset& ds, const HashResult& hashes, int near_duplicate_bits);

// split.csv: path,label,patient,group,split — paths relative to the CSV's folder when possible.
void write_split_csv(const std::string& path, const Dataset& ds);

std::string split_summary_text(const SplitResult& r);
nlohmann::json split_summary_json(const SplitResult& r);

}  // namespace leuko
