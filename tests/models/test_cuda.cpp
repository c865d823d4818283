// CUDA paths of the model layer: bf16 autocast on the GPU, GPU against CPU results, checkpoints and
// safetensors written from a model on the GPU. Every test skips where LibTorch sees no CUDA device
// (CPU builds, CI), so these run only on a GPU machine (scripts/device/gpu-check.sh).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/remove_tree.h"
#include "models/autocast.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/weights.h"
#include "train/checkpoint.h"

namespace {

namespace fs = std::filesystem;

#define SKIP_WITHOUT_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device visible to LibTorch"

fs::path temp_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("leuko-cuda-" + name + "-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

TEST(Cuda, EveryModelMatchesTheCpuInFloat32) {
  SKIP_WITHOUT_CUDA();
  torch::manual_seed(0);
  for (const auto& name : leuko::model_names()) {
    SCOPED_TRACE(name);
    auto model = leuko::make_model(name, "tiny", 3);
    model->eval();
    auto x = torch::randn({2, 3, 64, 64});
    torch::NoGradGuard no_grad;
    auto cpu = model->forward(x);
    model->to(torch::kCUDA);
    auto gpu = model->forward(x.to(torch::kCUDA)).cpu();
    // TF32 may be on for convolutions: a loose bound, far below a wrong-layout error.
    EXPECT_LT((gpu - cpu).abs().max().item<double>(), 1e-2 * (1 + cpu.abs().max().item<double>()));
  }
}

TEST(Cuda, EveryModelTrainsUnderBf16Autocast) {
  SKIP_WITHOUT_CUDA();
  torch::manual_seed(0);
  for (const auto& name : leuko::model_names()) {
    SCOPED_TRACE(name);
    auto model = leuko::make_model(name, "tiny", 3);
    model->to(torch::kCUDA);
    {
      torch::NoGradGuard g;
      for (auto& p : model->parameters())
        if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
    }
    auto x = torch::randn({2, 3, 64, 64}, torch::kCUDA).contiguous(at::MemoryFormat::ChannelsLast);
    model->eval();
    torch::Tensor reference, mixed;
    {
      torch::NoGradGuard no_grad;
      reference = model->forward(x);
      leuko::Bf16Autocast autocast(true, /*cuda=*/true);
      auto raw = model->forward(x);
      EXPECT_EQ(raw.scalar_type(), torch::kBFloat16);  // the classifier's matmul ran in bf16
      mixed = raw.to(torch::kFloat);
    }
    EXPECT_EQ(model->forward(x).scalar_type(), torch::kFloat);  // autocast is off again after the scope
    EXPECT_LT((mixed - reference).abs().max().item<double>(), 0.1 * (1 + reference.abs().max().item<double>()));
    model->train();
    torch::Tensor loss;
    {
      leuko::Bf16Autocast autocast(true, /*cuda=*/true);
      loss = torch::nn::functional::cross_entropy(model->forward(x).to(torch::kFloat),
                                                  torch::tensor({0, 1}, torch::kLong).to(torch::kCUDA));
    }
    loss.backward();
    for (const auto& p : model->named_parameters()) {
      ASSERT_TRUE(p.value().grad().defined()) << p.key();
      EXPECT_TRUE(p.value().grad().is_cuda()) << p.key();
      EXPECT_EQ(p.value().grad().scalar_type(), torch::kFloat) << p.key();
      ASSERT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
    }
  }
}

TEST(Cuda, CpuAutocastLeavesCudaAlone) {
  SKIP_WITHOUT_CUDA();
  auto a = torch::randn({8, 8}, torch::kCUDA);
  leuko::Bf16Autocast autocast(true, /*cuda=*/false);
  EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kFloat);
}

TEST(Cuda, CheckpointOfAGpuModelResumesOnTheGpu) {
  SKIP_WITHOUT_CUDA();
  auto dir = temp_dir("ckpt");
  torch::manual_seed(1);
  auto model = leuko::make_model("simple-cnn", "tiny", 2);
  model->to(torch::kCUDA);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
  auto x = torch::randn({4, 3, 64, 64}, torch::kCUDA);
  auto loss = torch::nn::functional::cross_entropy(model->forward(x), torch::tensor({0, 1, 0, 1}, torch::kLong).to(torch::kCUDA));
  loss.backward();
  opt.step();
  leuko::TrainingState state;
  state.next_epoch = 3;
  state.best_f1 = 0.5;
  const std::string path = (dir / "last.ckpt").string();
  leuko::save_checkpoint(path, *model, opt, state);
  auto cuda_draw = torch::rand({4}, torch::kCUDA).cpu();  // drawn after the save: a resume repeats it

  auto again = leuko::make_model("simple-cnn", "tiny", 2);
  again->to(torch::kCUDA);
  torch::optim::AdamW opt2(again->parameters(), torch::optim::AdamWOptions(1e-3));
  auto restored = leuko::load_checkpoint(path, *again, opt2);
  EXPECT_EQ(restored.next_epoch, 3);
  EXPECT_TRUE(torch::rand({4}, torch::kCUDA).cpu().equal(cuda_draw));
  auto p1 = model->parameters(), p2 = again->parameters();
  ASSERT_EQ(p1.size(), p2.size());
  for (size_t i = 0; i < p1.size(); ++i) {
    EXPECT_TRUE(p2[i].is_cuda());
    EXPECT_TRUE(p1[i].equal(p2[i]));
  }
  leuko::remove_tree(dir.string());
}

TEST(Cuda, SafetensorsFromAGpuModelLoadOnTheCpu) {
  SKIP_WITHOUT_CUDA();
  auto dir = temp_dir("st");
  auto model = leuko::make_model("resnet50", "tiny", 2);
  model->to(torch::kCUDA);
  const std::string path = (dir / "w.safetensors").string();
  leuko::save_state(*model, path, {});
  auto cpu = leuko::make_model("resnet50", "tiny", 2);
  leuko::LoadOptions strict;
  strict.strict = true;
  leuko::load_state(*cpu, path, strict);
  auto a = model->named_parameters(), b = cpu->named_parameters();
  for (const auto& p : a) EXPECT_TRUE(p.value().cpu().equal(b[p.key()])) << p.key();
  leuko::remove_tree(dir.string());
}

}  // namespace
