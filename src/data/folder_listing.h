#pragma once
// Listing a dataset folder so that no single odd entry stops the listing or goes unmentioned.
// std::filesystem's iterators throw on a symlink loop (ending a whole scan, split or training
// run) and skip FIFOs, dangling symlinks and unreadable folders in silence; here each of them
// becomes a SkippedFile with its reason, which `data scan` lists.
#include <string>
#include <vector>

#include "data/sample.h"

namespace leuko {

struct FolderListing {
  std::vector<std::string> files;    // ordinary files (symlinks to them included), sorted
  std::vector<SkippedFile> skipped;  // entries left out, with the reason, sorted by path
};

struct ListingOptions {
  // Descend into subfolders. Symlinks to folders are never followed -- a link back up the tree
  // would list the dataset again, forever -- and are listed as skipped when recursing.
  bool recursive = true;
  // Leave out names starting with '.' (and everything under such folders) without a word.
  bool skip_hidden = false;
};

// The ordinary files in `dir`. Never throws; a `dir` that cannot be listed is itself skipped.
FolderListing list_files(const std::string& dir, ListingOptions options = {});

// The folders directly in `dir`, sorted, hidden ones left out. A symlink to a folder counts as
// a folder (a class folder may be one). Entries that lead nowhere -- symlink loops, dangling
// symlinks -- and a `dir` that cannot be listed are added to `skipped`; files are ignored.
std::vector<std::string> list_subfolders(const std::string& dir, std::vector<SkippedFile>& skipped);

}  // namespace leuko
