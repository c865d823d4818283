#include "distributed/launch.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "common/error.h"

namespace leuko {
namespace {

volatile sig_atomic_t forwarded_signal = 0;
void remember_signal(int sig) { forwarded_signal = sig; }

struct Rank {
  int rank = 0;
  pid_t pid = -1;
  bool running = false;
};

std::string how_it_ended(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
                                  strsignal(WTERMSIG(status)) + ")";
  return "ended";
}

int shell_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

pid_t start_rank(const std::string& executable, const LaunchOptions& o, int local_rank) {
  std::vector<std::string> args{executable};
  args.insert(args.end(), o.command.begin(), o.command.end());
  const pid_t pid = fork();
  if (pid < 0) throw UserError(std::string("launch: cannot start a rank (") + std::strerror(errno) + ")");
  if (pid > 0) return pid;
  // The child: torchrun's variables, then this executable again.
  const int world = o.nproc * o.nnodes;
  auto set = [](const char* name, const std::string& value) { setenv(name, value.c_str(), 1); };
  set("RANK", std::to_string(o.node_rank * o.nproc + local_rank));
  set("WORLD_SIZE", std::to_string(world));
  set("LOCAL_RANK", std::to_string(local_rank));
  set("LOCAL_WORLD_SIZE", std::to_string(o.nproc));
  set("GROUP_RANK", std::to_string(o.node_rank));
  set("MASTER_ADDR", o.master_addr);
  set("MASTER_PORT", std::to_string(o.master_port));
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(executable.c_str(), argv.data());
  std::fprintf(stderr, "error: launch: cannot run %s (%s)\n", executable.c_str(), std::strerror(errno));
  _exit(127);
}

void signal_all(std::vector<Rank>& ranks, int sig) {
  for (auto& r : ranks)
    if (r.running) kill(r.pid, sig);
}

// Reaps whatever ended; returns the first failure's status through `failed`.
bool reap(std::vector<Rank>& ranks, bool block, int* status_out, Rank** which) {
  int status = 0;
  const pid_t pid = waitpid(-1, &status, block ? 0 : WNOHANG);
  if (pid <= 0) return false;
  for (auto& r : ranks)
    if (r.pid == pid) {
      r.running = false;
      *status_out = status;
      *which = &r;
      return true;
    }
  return false;
}

int running_count(const std::vector<Rank>& ranks) {
  int n = 0;
  for (const auto& r : ranks) n += r.running ? 1 : 0;
  return n;
}

}  // namespace

void LaunchOptions::validate() const {
  if (nproc < 1 || nproc > 1024) throw UserError("--nproc: must be within 1..1024");
  if (nnodes < 1 || nnodes > 65536) throw UserError("--nnodes: must be 1 or more");
  if (node_rank < 0 || node_rank >= nnodes) throw UserError("--node-rank: must be within 0.." + std::to_string(nnodes - 1));
  if (master_port < 1 || master_port > 65535) throw UserError("--master: the port must be within 1..65535");
  if (grace_seconds < 0) throw UserError("--grace: must be 0 or more seconds");
  if (command.empty()) throw UserError("launch: nothing to run; give the verb after --, e.g. `launch --nproc 2 -- train ...`");
  if (command.front() == "launch") throw UserError("launch: the command to run is launch itself");
}

std::string own_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw UserError("launch: cannot find this executable (/proc/self/exe: " + ec.message() + ")");
  return path.string();
}

int launch_ranks(const std::string& executable, const LaunchOptions& o) {
  o.validate();
  struct sigaction action {};
  action.sa_handler = remember_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::vector<Rank> ranks(static_cast<size_t>(o.nproc));
  for (int i = 0; i < o.nproc; ++i) {
    ranks[static_cast<size_t>(i)] = {o.node_rank * o.nproc + i, start_rank(executable, o, i), true};
  }
  int job_status = 0;
  bool stopping = false;
  auto stop_deadline = std::chrono::steady_clock::time_point::max();
  while (running_count(ranks) > 0) {
    if (forwarded_signal && !stopping) {
      signal_all(ranks, forwarded_signal);
      stopping = true;
      job_status = 128 + forwarded_signal;
      stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.grace_seconds);
    }
    int status = 0;
    Rank* which = nullptr;
    if (!reap(ranks, false, &status, &which)) {
      if (stopping && std::chrono::steady_clock::now() > stop_deadline) {
        signal_all(ranks, SIGKILL);
        stop_deadline = std::chrono::steady_clock::time_point::max();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    const bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (failed && !stopping) {
      const int others = running_count(ranks);
      std::fprintf(stderr, "error: launch: rank %d (pid %d) %s; %s\n", which->rank, static_cast<int>(which->pid),
                   how_it_ended(status).c_str(),
                   others ? ("stopping the other " + std::to_string(others) + " rank(s)").c_str() : "no rank left");
      std::fflush(stderr);
      job_status = shell_status(status);
      stopping = true;
      signal_all(ranks, SIGTERM);
      stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.grace_seconds);
    }
  }
  return job_status;
}

}  // namespace leuko
