#pragma once
// Which rank of how many this process is, and where rank 0's rendezvous listens — read from the
// environment exactly as the launchers users already run set it:
//   torchrun / `leukoscope launch`: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT
//   SLURM (srun):                   SLURM_PROCID, SLURM_STEP_NUM_TASKS (or SLURM_NTASKS), SLURM_LOCALID,
//                                   SLURM_STEP_TASKS_PER_NODE / SLURM_NTASKS_PER_NODE, SLURM_STEP_NODELIST
//   Open MPI (mpirun):              OMPI_COMM_WORLD_RANK, _SIZE, _LOCAL_RANK, _LOCAL_SIZE
// torchrun's variables win when several are present (torchrun inside a SLURM allocation). No
// variables: a world of one, and nothing distributed happens.
#include <cstdlib>
#include <functional>
#include <string>

#include "common/choice.h"

namespace leuko {

// auto = NCCL for a CUDA device when the build has NCCL, else Gloo (CPU tensors).
enum class DistBackend { Auto, Gloo, Nccl };
LEUKO_CHOICES(DistBackend, {DistBackend::Auto, "auto"}, {DistBackend::Gloo, "gloo"}, {DistBackend::Nccl, "nccl"});

struct World {
  int rank = 0, size = 1;
  int local_rank = 0, local_size = 1;  // within this machine: picks the GPU, divides the cores
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string launcher = "none";  // torchrun | slurm | openmpi | none
  // Under torchrun its agent already serves the store at MASTER_PORT (TORCHELASTIC_USE_AGENT_STORE):
  // every rank joins it as a client, under the prefix of the restart attempt, as PyTorch's env://
  // rendezvous does.
  bool agent_store = false;
  int restart_count = 0;

  bool distributed() const { return size > 1; }
  bool is_main() const { return rank == 0; }
  std::string describe() const;  // "rank 1 of 2 (local 1 of 2, torchrun), rendezvous 127.0.0.1:29500"
};

using EnvironmentLookup = std::function<const char*(const char* name)>;

// UserError naming the variable for a value that is not a number or out of range (RANK >=
// WORLD_SIZE, a port above 65535), or for a multi-machine world with no MASTER_ADDR to meet at.
World world_from_environment(const EnvironmentLookup& lookup = [](const char* n) { return std::getenv(n); });

// The first host of a SLURM node list: "gpu[03-05,09],cpu1" -> "gpu03". "" when unparseable.
std::string first_slurm_host(const std::string& nodelist);

}  // namespace leuko
