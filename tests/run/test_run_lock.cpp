// One writer per run folder (run/run_lock.h): a second lock on the same folder is refused with the
// holder's PID, released with its holder, and taking it clears a killed writer's temporaries.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "common/error.h"
#include "common/test_paths.h"
#include "run/run_lock.h"

namespace leuko {
namespace {

TEST(RunLock, ASecondWriterIsRefusedWithTheHoldersPid) {
  test::TempDir dir;
  {
    RunLock first(dir.str());
    try {
      RunLock second(dir.str());
      FAIL() << "two writers on one run";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("PID " + std::to_string(::getpid())), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("--out"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(RunLock again(dir.str())) << "released with its holder";
}

TEST(RunLock, TakingItRemovesAKilledWritersTemporaries) {
  test::TempDir dir;
  for (const char* name : {"best.safetensors.tmp.4242.0", "last.ckpt.tmp.4242", "config.json"})
    std::ofstream(dir.str() + "/" + name) << "x";
  RunLock lock(dir.str());
  EXPECT_EQ(lock.removed_leftovers(), 2);
  EXPECT_FALSE(std::filesystem::exists(dir.str() + "/last.ckpt.tmp.4242"));
  EXPECT_TRUE(std::filesystem::exists(dir.str() + "/config.json"));
}

}  // namespace
}  // namespace leuko
