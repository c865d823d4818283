#include "common/remove_tree.h"

#include <cstdio>
#include <ftw.h>
#include <sys/stat.h>

namespace leuko {

namespace {

bool g_all_removed = true;

int remove_entry(const char* path, const struct stat*, int, struct FTW*) {
  if (std::remove(path) != 0) g_all_removed = false;
  return 0;  // keep going: remove what can be removed
}

}  // namespace

bool remove_tree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return true;  // nothing there
  g_all_removed = true;
  // Depth first (children before their folder), not following links out of the tree.
  if (::nftw(path.c_str(), remove_entry, 32, FTW_DEPTH | FTW_PHYS) != 0) return false;
  return g_all_removed;
}

}  // namespace leuko
