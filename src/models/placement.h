#pragma once
// Where a model runs and how its weights are laid out: the torch device of a --device choice
// (refused when the build or machine has no CUDA), deterministic-kernel settings, and NHWC
// weights for a loader that gives NHWC batches (a conversion per layer otherwise).
#include <torch/nn/module.h>
#include <torch/types.h>

#include "common/compute_options.h"

namespace leuko {

// UserError naming `option` when CUDA is asked for and none is visible. `deterministic` fixes
// cuBLAS's workspace and turns cuDNN autotuning off (on otherwise: it picks kernels by timing).
torch::Device select_device(Device device, bool deterministic = false, const char* option = "--device");

void use_channels_last(torch::nn::Module& model);

// Whether bf16 arithmetic is native on `device` (CUDA; a CPU with AVX512-BF16 or AMX-BF16).
bool has_native_bf16(const torch::Device& device);

// Amp::Auto resolved for `device` by its flags alone (bench's auto); Off and Bf16 are returned as
// they are. Training measures instead: train/precision_choice.h.
Amp resolve_amp(Amp amp, const torch::Device& device);

}  // namespace leuko
