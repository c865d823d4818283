#include "models/placement.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include "common/error.h"

namespace leuko {

torch::Device select_device(Device device, bool deterministic, const char* option) {
  if (deterministic) at::globalContext().setDeterministicAlgorithms(true, false);
  if (device == Device::Cpu) return torch::kCPU;
  if (!torch::cuda::is_available()) throw UserError(std::string(option) + " cuda: this LibTorch build sees no CUDA device");
  // cuBLAS is deterministic only with a fixed workspace, chosen before its first handle exists.
  if (deterministic) ::setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", /*overwrite=*/0);
  at::globalContext().setDeterministicCuDNN(deterministic);
  at::globalContext().setBenchmarkCuDNN(!deterministic);
  return torch::kCUDA;
}

bool has_native_bf16(const torch::Device& device) {
  if (device.is_cuda()) return true;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0)
      return line.find(" avx512_bf16") != std::string::npos || line.find(" amx_bf16") != std::string::npos;
  return false;
}

Amp resolve_amp(Amp amp, const torch::Device& device) {
  if (amp != Amp::Auto) return amp;
  return has_native_bf16(device) ? Amp::Bf16 : Amp::Off;
}

void use_channels_last(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters())
    if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
}

}  // namespace leuko
