#include "report/gnuplot_runner.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "common/remove_tree.h"

extern char** environ;

namespace leuko::report {

namespace fs = std::filesystem;

namespace {

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The last non-empty line of gnuplot's stderr is the error; the lines before it echo the script.
std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    size_t start = line.find_first_not_of(" \t^");
    if (start != std::string::npos) last = line.substr(start);
  }
  return last;
}

// Removes its folder whatever way render() leaves.
struct ScratchFolder {
  fs::path path;
  ScratchFolder() {
    std::string pattern = (fs::temp_directory_path() / "leuko-plot-XXXXXX").string();
    std::vector<char> chars(pattern.begin(), pattern.end());
    chars.push_back('\0');
    if (::mkdtemp(chars.data())) path = chars.data();
  }
  ~ScratchFolder() {
    if (!path.empty()) remove_tree(path.string());
  }
};

}  // namespace

std::string gnuplot_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out + "'";
}

GnuplotRunner::GnuplotRunner(std::string program, int timeout_seconds)
    : program_(std::move(program)), timeout_seconds_(timeout_seconds) {}

GnuplotOutcome GnuplotRunner::render(const std::string& body, int width, int height) const {
  GnuplotOutcome outcome;
  ScratchFolder scratch;
  if (scratch.path.empty()) {
    outcome.error = std::string("cannot create a temporary folder (") + std::strerror(errno) + ")";
    return outcome;
  }
  const fs::path script = scratch.path / "plot.gp", svg = scratch.path / "plot.svg",
                 log = scratch.path / "gnuplot.log";
  {
    std::ofstream out(script);
    // `dynamic`: no fixed width/height attributes, only a viewBox, so the browser scales the
    // drawing to the column. `noenhanced`: class and model names are shown verbatim, never read
    // as gnuplot's sub/superscript markup.
    out << "set terminal svg size " << width << "," << height
        << " dynamic noenhanced font 'sans-serif,12' linewidth 1.2 background rgb 'white'\n"
        << "set output " << gnuplot_quote(svg.string()) << "\n"
        << "set encoding utf8\n"
        << "set border 3 lc rgb '#666666' lw 1\n"
        << "set tics nomirror out scale 0.6 textcolor rgb '#333333'\n"
        << "set style line 100 lc rgb '#e6e6e6' lw 1 dt 1\n"
        << "set grid back ls 100\n"
        << "set key textcolor rgb '#222222' noautotitle\n"
        << "set title textcolor rgb '#111111' font 'sans-serif,13'\n"
        << body << "\nunset output\n";
    if (!out) {
      outcome.error = "cannot write the gnuplot script to " + script.string();
      return outcome;
    }
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::string script_arg = script.string();
  std::vector<char*> argv = {const_cast<char*>(program_.c_str()), const_cast<char*>(script_arg.c_str()), nullptr};
  pid_t pid = 0;
  int spawn_error = posix_spawnp(&pid, program_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    outcome.program_missing = true;
    outcome.error = spawn_error == ENOENT
                        ? program_ + " not found" + (program_.find('/') == std::string::npos ? " on PATH" : "")
                        : "cannot run " + program_ + " (" + std::strerror(spawn_error) + ")";
    return outcome;
  }

  // A plot takes well under a second; a hang (a broken font set-up, a huge data block) must not
  // hold the report hostage.
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds_);
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      outcome.error = std::string("waiting for gnuplot failed (") + std::strerror(errno) + ")";
      return outcome;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      outcome.error = "gnuplot did not finish within " + std::to_string(timeout_seconds_) + " s";
      return outcome;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // posix_spawnp may report a failed exec only as exit status 127 (older C libraries).
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
      outcome.program_missing = true;
      outcome.error = program_ + " could not be started";
      return outcome;
    }
    std::string message = last_line(read_whole(log));
    outcome.error = "gnuplot failed" + (message.empty() ? std::string() : ": " + message);
    return outcome;
  }
  std::error_code ec;
  if (!fs::exists(svg, ec) || fs::file_size(svg, ec) == 0) {
    outcome.error = "gnuplot wrote no SVG";
    return outcome;
  }
  outcome.svg = read_whole(svg);
  outcome.ok = true;
  return outcome;
}

}  // namespace leuko::report
