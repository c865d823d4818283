#pragma once
#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "data/sample.h"

namespace leuko {

// Decodes every sample in parallel; files that cannot be used move from `samples` to `skipped`
// with their reason. Adds to `notes` what decoding did to usable images (12-bit data rescaled)
// and any class left without a usable image. Returns how many were moved.
size_t validate_samples(Dataset& ds, int threads);

struct ScanSummary {
  // split -> class -> count; class "unlabelled" for samples without a label
  std::map<std::string, std::map<std::string, int>> counts;
  std::map<std::string, std::map<std::string, int>> patients;  // distinct patients
  std::map<std::string, std::map<std::string, int>> folds;     // C-NMC training folds
};

ScanSummary summarise(const Dataset& ds);

// The `data scan --json` object (README, "data scan"): layout, root, classes, counts, patients, folds,
// skipped, notes. Paths and labels may hold any bytes: print it with json_text (common/json_text.h).
nlohmann::json scan_to_json(const Dataset& ds, const ScanSummary& summary);

std::string scan_to_text(const Dataset& ds, const ScanSummary& summary);

}  // namespace leuko
