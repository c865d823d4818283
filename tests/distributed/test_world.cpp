// The world as torchrun, SLURM and Open MPI describe it in the environment.
#include <gtest/gtest.h>

#include <map>

#include "common/error.h"
#include "distributed/world.h"

namespace leuko {
namespace {

World world_of(const std::map<std::string, std::string>& env) {
  return world_from_environment([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(World, NoLauncherVariablesIsAWorldOfOne) {
  const World w = world_of({{"HOME", "/root"}});
  EXPECT_FALSE(w.distributed());
  EXPECT_TRUE(w.is_main());
  EXPECT_EQ(w.launcher, "none");
}

TEST(World, TorchrunVariables) {
  const World w = world_of({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"},
                            {"MASTER_ADDR", "10.0.0.7"}, {"MASTER_PORT", "29611"}});
  EXPECT_TRUE(w.distributed());
  EXPECT_FALSE(w.is_main());
  EXPECT_EQ(w.rank, 3);
  EXPECT_EQ(w.size, 4);
  EXPECT_EQ(w.local_rank, 1);
  EXPECT_EQ(w.local_size, 2);
  EXPECT_EQ(w.master_addr, "10.0.0.7");
  EXPECT_EQ(w.master_port, 29611);
  EXPECT_EQ(w.launcher, "torchrun");
}

TEST(World, SlurmTasksWithTheFirstHostOfTheNodeListAsMaster) {
  const World w = world_of({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"},
                            {"SLURM_NTASKS_PER_NODE", "4(x2)"}, {"SLURM_JOB_NODELIST", "gpu[07-08]"}});
  EXPECT_EQ(w.launcher, "slurm");
  EXPECT_EQ(w.rank, 5);
  EXPECT_EQ(w.size, 8);
  EXPECT_EQ(w.local_rank, 1);
  EXPECT_EQ(w.local_size, 4);
  EXPECT_EQ(w.master_addr, "gpu07");
  EXPECT_EQ(w.master_port, 29500);
  // MASTER_ADDR, when exported, wins over the node list.
  EXPECT_EQ(world_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_JOB_NODELIST", "a,b"},
                      {"MASTER_ADDR", "head"}}).master_addr, "head");
}

TEST(World, TorchrunWinsInsideASlurmAllocation) {
  const World w = world_of({{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}});
  EXPECT_EQ(w.launcher, "torchrun");
  EXPECT_EQ(w.rank, 1);
  EXPECT_EQ(w.size, 2);
}

TEST(World, OpenMpiVariables) {
  const World w = world_of({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "3"},
                            {"OMPI_COMM_WORLD_LOCAL_RANK", "2"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "3"}});
  EXPECT_EQ(w.launcher, "openmpi");
  EXPECT_EQ(w.rank, 2);
  EXPECT_EQ(w.size, 3);
  EXPECT_EQ(w.master_addr, "127.0.0.1");  // one machine: the loopback
}

TEST(World, BadValuesNameTheVariable) {
  auto message = [](const std::map<std::string, std::string>& env) {
    try {
      world_of(env);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"RANK", "two"}, {"WORLD_SIZE", "2"}}).find("RANK=two"), std::string::npos);
  EXPECT_NE(message({{"RANK", "2"}, {"WORLD_SIZE", "2"}}).find("not below WORLD_SIZE=2"), std::string::npos);
  EXPECT_NE(message({{"RANK", "0"}, {"WORLD_SIZE", "0"}}).find("WORLD_SIZE=0"), std::string::npos);
  EXPECT_NE(message({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}).find("MASTER_PORT"),
            std::string::npos);
  EXPECT_NE(message({{"RANK", "0"}, {"WORLD_SIZE", "4"}, {"LOCAL_WORLD_SIZE", "2"}}).find("MASTER_ADDR"),
            std::string::npos);
  EXPECT_NE(message({{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "3"}, {"LOCAL_WORLD_SIZE", "2"},
                     {"MASTER_ADDR", "h"}}).find("local rank 3"), std::string::npos);
}

TEST(World, FirstSlurmHost) {
  EXPECT_EQ(first_slurm_host("node1"), "node1");
  EXPECT_EQ(first_slurm_host("node1,node2"), "node1");
  EXPECT_EQ(first_slurm_host("gpu[03-05,09],cpu1"), "gpu03");
  EXPECT_EQ(first_slurm_host("gpu[x]"), "");
}

}  // namespace
}  // namespace leuko
