#pragma once
// Datasets are folders users fill by hand, by scripts and by unpacking archives: next to images
// they hold folders named like images, FIFOs, device nodes, dangling symlinks and symlink loops.
// Opening a FIFO blocks until someone writes to it, and reading a folder as a file asks for an
// absurd size, so everything that reads a dataset file (decoding, hashing) asks here first and
// reads only ordinary files. Symlinks are followed; what they point at is what counts.
#include <cstdint>
#include <string>
#include <vector>

namespace leuko {

enum class PathType { kRegular, kFolder, kOther, kUnreachable };

// What `path` is, symlinks followed. `problem` says why it cannot be read as an ordinary file
// ("" for kRegular), short and naming the kind: "missing", "dangling symlink (its target is
// missing)", "symlink loop", "permission denied", "not a regular file (a folder)",
// "not a regular file (a FIFO)", "... (a device)", "... (a socket)".
struct PathStatus {
  PathType type = PathType::kUnreachable;
  std::string problem;
};
PathStatus path_status(const std::string& path);

inline std::string regular_file_problem(const std::string& path) { return path_status(path).problem; }

struct FileBytes {
  std::vector<uint8_t> bytes;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

// The whole content of an ordinary file. Never blocks on a FIFO, never throws: a file that is
// not an ordinary one, cannot be opened, or is too large to hold in memory yields a reason.
FileBytes read_regular_file(const std::string& path);

// Opens an ordinary file for reading (O_RDONLY | O_CLOEXEC) and returns its descriptor, or -1
// with `error` set. The type is checked before opening, so a FIFO or a device is never opened,
// and again on the descriptor, so a file swapped in between is caught too.
int open_regular_file(const std::string& path, std::string& error);

}  // namespace leuko
