#pragma once
// Deletes a file or a folder with everything in it; a missing path is not an error.
// Used instead of std::filesystem::remove_all: the pip CUDA LibTorch (2.11, cu130) exports its own
// broken copy of remove_all, which executables built with some toolchains bind to (a jump to
// address 0 on a GPU machine, 2026-11-25). This one goes through POSIX nftw and unlink/rmdir.
#include <string>

namespace leuko {

// Returns false (and leaves what it could not delete) when some entry could not be removed.
bool remove_tree(const std::string& path);

}  // namespace leuko
