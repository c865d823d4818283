#pragma once
// Running the Python reference scripts of the model tests (reference_models.py on Debian's torch,
// timm_reference.py with timm from PyPI): shell quoting, a scratch folder per test binary that is
// removed when the suite ends (the reference files are hundreds of MB), and one script call with
// its output captured.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/atomic_file.h"
#include "common/remove_tree.h"

namespace leuko::test {

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::filesystem::path python_scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("leuko_test_python_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

struct PythonScratchCleanup : ::testing::Environment {
  void TearDown() override { leuko::remove_tree(python_scratch_dir().string()); }
};
// Registered at start-up, once per test binary (an inline variable).
inline ::testing::Environment* const python_scratch_cleanup =
    ::testing::AddGlobalTestEnvironment(new PythonScratchCleanup);

// `python` is the interpreter command (with any environment in front); the script is named
// relative to the source tree. Returns the exit status; stdout and stderr in *log.
inline int run_python_script(const std::string& python, const std::string& script, const std::vector<std::string>& args,
                             std::string* log) {
  std::string cmd = python + " " + shell_quote(std::string(LEUKO_SOURCE_DIR) + "/" + script);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  const auto log_path = python_scratch_dir() / "python.log";
  cmd += " > " + shell_quote(log_path.string()) + " 2>&1";
  const int rc = std::system(cmd.c_str());
  *log = leuko::read_file_to_string(log_path.string());
  return rc;
}

}  // namespace leuko::test
