#pragma once
// Checks a C-NMC download against the manifest of the real Kaggle tree: every file hashed
// (streamed, in parallel) and classified ok / mismatched / missing / extra.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace leuko {

struct VerifyReport {
  std::string root;      // the folder the manifest paths are relative to
  size_t manifest_rows = 0;
  std::vector<std::string> ok, mismatched, missing, extra;  // manifest-relative paths
  std::vector<std::string> ignored;  // non-image files the manifest does not list (labels CSV)
  std::vector<std::string> mismatch_reasons;                // parallel to `mismatched`
  // Entries of the download that lead nowhere (symlink loops, dangling symlinks, FIFOs, folders
  // that cannot be listed): named, not hashed. A manifest file among them also counts as missing.
  std::vector<std::string> unreadable, unreadable_reasons;
  double seconds = 0;
  double bytes_hashed = 0;
  bool all_ok() const { return mismatched.empty() && missing.empty() && extra.empty(); }
};

VerifyReport verify_against_manifest(const std::string& dir, const std::string& manifest_tsv, int threads);

std::string verify_to_text(const VerifyReport& r, size_t show_first = 5);
nlohmann::json verify_to_json(const VerifyReport& r);

}  // namespace leuko
