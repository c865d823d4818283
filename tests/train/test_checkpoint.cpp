// last.ckpt on a disk that fills up: one error line, the previous checkpoint intact.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/resource.h>

#include <torch/torch.h>

#include "common/error.h"
#include "common/test_paths.h"
#include "train/checkpoint.h"

namespace leuko {
namespace {

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A file-size limit makes writes past it fail as a full disk does (EFBIG instead of ENOSPC), with
// neither root nor a mount; SIGXFSZ is ignored so the write returns the error instead of killing us.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &previous_);
    rlimit limited = previous_;
    limited.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &previous_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit previous_{};
  void (*previous_handler_)(int) = nullptr;
};

TEST(Checkpoint, AFullDiskIsOneErrorAndKeepsThePreviousCheckpoint) {
  test::TempDir dir;
  const std::string path = dir.str() + "/last.ckpt";
  torch::manual_seed(0);
  torch::nn::Linear model(64, 64);
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(1e-3));
  model->forward(torch::randn({8, 64})).sum().backward();
  optimizer.step();  // the optimiser has state to save, as after any epoch

  TrainingState state;
  state.next_epoch = 3;
  save_checkpoint(path, *model, optimizer, state);
  const std::string before = bytes_of(path);
  ASSERT_GT(before.size(), 40000u);  // weights and two AdamW moments of 4,160 floats each

  state.next_epoch = 4;
  std::string error;
  {
    FileSizeLimit full(before.size() / 2);
    try {
      save_checkpoint(path, *model, optimizer, state);
    } catch (const UserError& e) {
      error = e.what();
    }
  }
  EXPECT_EQ(error.find(path + ": cannot write the checkpoint ("), 0u) << error;
  EXPECT_NE(error.find("the previous one is kept"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_EQ(bytes_of(path), before);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename(), "last.ckpt") << "left behind: " << entry.path();

  // The kept checkpoint still resumes, at the epoch it recorded; with room again the next one is written.
  torch::nn::Linear restored(64, 64);
  torch::optim::AdamW restored_optimizer(restored->parameters(), torch::optim::AdamWOptions(1e-3));
  EXPECT_EQ(load_checkpoint(path, *restored, restored_optimizer).next_epoch, 3);
  save_checkpoint(path, *model, optimizer, state);
  EXPECT_EQ(load_checkpoint(path, *restored, restored_optimizer).next_epoch, 4);
}

}  // namespace
}  // namespace leuko
