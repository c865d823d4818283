#pragma once
// Runs the built leukoscope binary as a user would and captures exit code, stdout and stderr.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include "common/test_paths.h"

namespace leuko::test {

struct CommandResult {
  int code;
  std::string out, err;
};

// `raw`: `args` is the whole command line (e.g. wrapped in `timeout`), not leukoscope's arguments.
inline CommandResult run_cli(const std::string& args, bool raw = false) {
  TempDir tmp;
  std::string out = tmp.str() + "/out", err = tmp.str() + "/err";
  const std::string command = raw ? args : std::string(LEUKO_BINARY) + " " + args;
  int status = std::system((command + " >" + out + " 2>" + err).c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

}  // namespace leuko::test
