#pragma once
// Checks a C-NMC download against the manifest of the real Kaggle tree: every file hashed
// (streamed, in parallel) and classified ok / mismatched / missing / extra. A file whose bytes
// differ — a lossless copy (X.png for the manifest's X.bmp) or a BMP re-encoded by another tool —
// is decoded and its pixels written back as the Kaggle training BMPs are written; when that
// rebuilds the original byte for byte it is `lossless` (the pixels are the original's), not a
// mismatch, a missing file and an extra one.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace leuko {

struct VerifyReport {
  std::string root;      // the folder the manifest paths are relative to
  size_t manifest_rows = 0;
  std::vector<std::string> ok, mismatched, missing, extra;  // manifest-relative paths
  std::vector<std::string> lossless;  // manifest paths whose file's pixels rebuild the original
  std::vector<std::string> ignored;  // non-image files the manifest does not list (labels CSV)
  std::vector<std::string> mismatch_reasons;                // parallel to `mismatched`
  // Entries of the download that lead nowhere (symlink loops, dangling symlinks, FIFOs, folders
  // that cannot be listed): named, not hashed. A manifest file among them also counts as missing.
  std::vector<std::string> unreadable, unreadable_reasons;
  double seconds = 0;
  double bytes_hashed = 0;
  size_t images_decoded = 0;  // files whose bytes differed, checked by their pixels
  bool all_ok() const { return mismatched.empty() && missing.empty() && extra.empty(); }
  size_t verified() const { return ok.size() + lossless.size(); }
};

VerifyReport verify_against_manifest(const std::string& dir, const std::string& manifest_tsv, int threads);

std::string verify_to_text(const VerifyReport& r, size_t show_first = 5);
nlohmann::json verify_to_json(const VerifyReport& r);

}  // namespace leuko
