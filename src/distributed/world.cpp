#include "distributed/world.h"

#include <cstdlib>

#include "common/error.h"

namespace leuko {
namespace {

// A whole non-negative decimal number, or UserError naming the variable.
int whole_number(const char* name, const std::string& text, int lowest) {
  size_t used = 0;
  long value = -1;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < lowest || value > 1'000'000)
    throw UserError(std::string(name) + "=" + text + ": not a whole number " + (lowest > 0 ? "above 0" : "from 0"));
  return static_cast<int>(value);
}

struct Reader {
  const EnvironmentLookup& lookup;
  bool has(const char* name) const {
    const char* v = lookup(name);
    return v && *v;
  }
  std::string text(const char* name) const { return has(name) ? lookup(name) : ""; }
  int number(const char* name, int fallback, int lowest = 0) const {
    return has(name) ? whole_number(name, text(name), lowest) : fallback;
  }
};

// "2(x3),1" (tasks per node, SLURM's compressed form): the first node's count.
int leading_count(const std::string& text) {
  size_t end = 0;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  return end ? std::atoi(text.substr(0, end).c_str()) : 0;
}

}  // namespace

std::string World::describe() const {
  return "rank " + std::to_string(rank) + " of " + std::to_string(size) + " (local " + std::to_string(local_rank) +
         " of " + std::to_string(local_size) + ", " + launcher + "), rendezvous " + master_addr + ":" +
         std::to_string(master_port);
}

std::string first_slurm_host(const std::string& nodelist) {
  size_t bracket = std::string::npos, end = nodelist.size();
  for (size_t i = 0; i < nodelist.size(); ++i) {
    if (nodelist[i] == '[') { bracket = i; break; }
    if (nodelist[i] == ',') { end = i; break; }
  }
  if (bracket == std::string::npos) return nodelist.substr(0, end);
  size_t digits = bracket + 1;
  while (digits < nodelist.size() && nodelist[digits] >= '0' && nodelist[digits] <= '9') ++digits;
  if (digits == bracket + 1) return "";
  return nodelist.substr(0, bracket) + nodelist.substr(bracket + 1, digits - bracket - 1);
}

World world_from_environment(const EnvironmentLookup& lookup) {
  Reader env{lookup};
  World w;
  const char* rank_name = "RANK";
  const char* size_name = "WORLD_SIZE";
  if (env.has("RANK") || env.has("WORLD_SIZE")) {
    w.launcher = "torchrun";
    w.size = env.number("WORLD_SIZE", 1, 1);
    w.rank = env.number("RANK", 0);
    w.local_rank = env.number("LOCAL_RANK", w.rank);
    w.local_size = env.number("LOCAL_WORLD_SIZE", w.size, 1);
    w.agent_store = env.text("TORCHELASTIC_USE_AGENT_STORE") == "True";
    w.restart_count = env.number("TORCHELASTIC_RESTART_COUNT", 0);
  } else if (env.has("SLURM_PROCID") && (env.has("SLURM_STEP_NUM_TASKS") || env.has("SLURM_NTASKS"))) {
    w.launcher = "slurm";
    rank_name = "SLURM_PROCID";
    size_name = env.has("SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS";
    w.size = env.number(size_name, 1, 1);
    w.rank = env.number(rank_name, 0);
    w.local_rank = env.number("SLURM_LOCALID", 0);
    const std::string per_node = env.has("SLURM_STEP_TASKS_PER_NODE") ? env.text("SLURM_STEP_TASKS_PER_NODE")
                                                                      : env.text("SLURM_NTASKS_PER_NODE");
    w.local_size = leading_count(per_node) > 0 ? leading_count(per_node) : w.size;
    if (!env.has("MASTER_ADDR")) {
      const std::string host = first_slurm_host(env.has("SLURM_STEP_NODELIST") ? env.text("SLURM_STEP_NODELIST")
                                                                               : env.text("SLURM_JOB_NODELIST"));
      if (!host.empty()) w.master_addr = host;
    }
  } else if (env.has("OMPI_COMM_WORLD_RANK")) {
    w.launcher = "openmpi";
    rank_name = "OMPI_COMM_WORLD_RANK";
    size_name = "OMPI_COMM_WORLD_SIZE";
    w.size = env.number(size_name, 1, 1);
    w.rank = env.number(rank_name, 0);
    w.local_rank = env.number("OMPI_COMM_WORLD_LOCAL_RANK", 0);
    w.local_size = env.number("OMPI_COMM_WORLD_LOCAL_SIZE", w.size, 1);
  } else {
    return w;
  }
  if (w.rank >= w.size)
    throw UserError(std::string(rank_name) + "=" + std::to_string(w.rank) + ": not below " + size_name + "=" +
                    std::to_string(w.size));
  if (w.local_rank >= w.local_size)
    throw UserError("local rank " + std::to_string(w.local_rank) + ": not below the " + std::to_string(w.local_size) +
                    " ranks on this machine");
  if (env.has("MASTER_ADDR")) w.master_addr = env.text("MASTER_ADDR");
  else if (w.local_size < w.size && w.launcher != "slurm")
    throw UserError("MASTER_ADDR: not set, and the " + std::to_string(w.size) +
                    " ranks span more than one machine (set it to rank 0's host)");
  w.master_port = env.number("MASTER_PORT", 29500, 1);
  if (w.master_port > 65535) throw UserError("MASTER_PORT=" + env.text("MASTER_PORT") + ": not a TCP port (1-65535)");
  return w;
}

}  // namespace leuko
