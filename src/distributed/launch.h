#pragma once
// `leukoscope launch`: torchrun for machines without it. Starts one process per local rank of this
// node — this same executable with the given verb and arguments — with the variables torchrun
// sets (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT),
// then waits. The first rank to fail ends the job: the others get SIGTERM, then SIGKILL after a
// grace period, and launch prints one line naming the rank and how it ended. Ctrl-C (SIGINT) or
// SIGTERM to launch is passed on to every rank.
#include <string>
#include <vector>

namespace leuko {

struct LaunchOptions {
  int nproc = 1;       // ranks on this machine
  int nnodes = 1;      // machines
  int node_rank = 0;   // this machine's index
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  int grace_seconds = 10;          // between SIGTERM and SIGKILL for the other ranks
  std::vector<std::string> command;  // the verb and its arguments

  void validate() const;  // UserError naming the option
};

// The job's exit status: 0 when every rank succeeded, else the failed rank's (128 + signal for a
// signal, as a shell reports it).
int launch_ranks(const std::string& executable, const LaunchOptions& options);

// This process's executable (/proc/self/exe).
std::string own_executable();

}  // namespace leuko
