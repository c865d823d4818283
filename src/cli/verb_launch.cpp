// `leukoscope launch`: N ranks of a verb on this machine, as torchrun starts them (see
// distributed/launch.h). Every verb that can run as one rank of several reads the variables.
#include "cli/verbs.h"

#include <cstdio>
#include <cstdlib>

#include "common/error.h"
#include "distributed/launch.h"

namespace leuko::cli {

void add_launch_verb(CLI::App& app) {
  auto o = std::make_shared<LaunchOptions>();
  auto master = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("launch", "run a verb as N data-parallel ranks, as torchrun would: launch --nproc 2 -- train ...");
  cmd->add_option("--nproc", o->nproc, "ranks on this machine (default 1)");
  cmd->add_option("--nnodes", o->nnodes, "machines in the job (default 1)");
  cmd->add_option("--node-rank", o->node_rank, "this machine's index, 0..nnodes-1 (default 0)");
  cmd->add_option("--master", *master, "ADDR:PORT of node 0's rendezvous (default 127.0.0.1:29500)");
  cmd->add_option("--grace", o->grace_seconds, "seconds between SIGTERM and SIGKILL when a rank fails (default 10)");
  cmd->add_option("command", o->command, "the verb and its options, after --")->required();
  cmd->callback([o, master] {
    if (!master->empty()) {
      const auto colon = master->rfind(':');
      if (colon == std::string::npos || colon == 0) throw UserError("--master " + *master + ": expected ADDR:PORT");
      o->master_addr = master->substr(0, colon);
      const std::string port = master->substr(colon + 1);
      char* end = nullptr;
      const long value = std::strtol(port.c_str(), &end, 10);
      if (port.empty() || *end != '\0' || value < 1 || value > 65535)
        throw UserError("--master " + *master + ": the port must be within 1..65535");
      o->master_port = static_cast<int>(value);
    }
    const int status = launch_ranks(own_executable(), *o);
    std::fflush(nullptr);
    // The job's status is the first failed rank's; no other state to unwind in this process.
    std::exit(status);
  });
}

}  // namespace leuko::cli
