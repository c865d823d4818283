#include "common/paths.h"

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace leuko {
namespace fs = std::filesystem;

static std::string executable_dir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return {};
  buf[n] = '\0';
  return fs::path(buf).parent_path().string();
}

std::string bundled_data_dir() {
  if (const char* env = std::getenv("LEUKOSCOPE_DATA"); env && *env) return env;
  std::string exe = executable_dir();
  for (const char* rel : {"../data", "../share/leukoscope/data", "../../data"}) {
    if (exe.empty()) break;
    fs::path candidate = fs::path(exe) / rel / "SOURCE.md";
    if (fs::exists(candidate)) return fs::canonical(candidate.parent_path()).string();
  }
  return std::string(LEUKO_SOURCE_DIR) + "/data";
}

std::string bundled_configs_dir() { return (fs::path(bundled_data_dir()).parent_path() / "configs").string(); }

std::string leukoscope_version() { return LEUKO_VERSION; }

std::string leukoscope_git_commit() { return LEUKO_GIT_COMMIT; }

}  // namespace leuko
