#include "common/regular_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace leuko {
namespace {

std::string kind_problem(mode_t mode) {
  if (S_ISREG(mode)) return {};
  if (S_ISDIR(mode)) return "not a regular file (a folder)";
  if (S_ISFIFO(mode)) return "not a regular file (a FIFO)";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "not a regular file (a device)";
  if (S_ISSOCK(mode)) return "not a regular file (a socket)";
  return "not a regular file";
}

std::string errno_problem(const std::string& path, int err) {
  switch (err) {
    case ENOENT: {
      // stat follows links; lstat tells a missing file from a link whose target is missing.
      struct stat link;
      if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) return "dangling symlink (its target is missing)";
      return "missing";
    }
    case ELOOP: return "symlink loop";
    case EACCES: return "permission denied";
    case ENOTDIR: return "missing (a folder on its path is a file)";
    case ENAMETOOLONG: return "path too long";
    default: return std::string("cannot open (") + std::strerror(err) + ")";
  }
}

}  // namespace

PathStatus path_status(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return {PathType::kUnreachable, errno_problem(path, errno)};
  PathType type = S_ISREG(st.st_mode) ? PathType::kRegular : S_ISDIR(st.st_mode) ? PathType::kFolder : PathType::kOther;
  return {type, kind_problem(st.st_mode)};
}

int open_regular_file(const std::string& path, std::string& error) {
  error = regular_file_problem(path);
  if (!error.empty()) return -1;
  // O_NONBLOCK: should a FIFO replace the file after the check, open returns at once instead of
  // waiting for a writer; fstat below then refuses it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = errno_problem(path, errno);
    return -1;
  }
  struct stat st;
  error = ::fstat(fd, &st) != 0 ? "cannot read file" : kind_problem(st.st_mode);
  if (!error.empty()) {
    ::close(fd);
    return -1;
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

FileBytes read_regular_file(const std::string& path) {
  FileBytes out;
  int fd = open_regular_file(path, out.error);
  if (fd < 0) return out;
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    out.error = "cannot read file";
    return out;
  }
  try {
    out.bytes.resize(static_cast<size_t>(st.st_size));
  } catch (const std::exception&) {  // bad_alloc, or length_error past max_size()
    ::close(fd);
    out.bytes = {};
    out.error = "too large to read into memory (" + std::to_string(st.st_size) + " bytes)";
    return out;
  }
  size_t have = 0;
  while (have < out.bytes.size()) {
    ssize_t n = ::read(fd, out.bytes.data() + have, out.bytes.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      out.error = std::string("read error (") + std::strerror(errno) + ")";
      break;
    }
    if (n == 0) break;  // shrank while being read: keep what is there, the decoder judges it
    have += static_cast<size_t>(n);
  }
  ::close(fd);
  out.bytes.resize(have);
  if (!out.ok()) out.bytes = {};
  return out;
}

}  // namespace leuko
