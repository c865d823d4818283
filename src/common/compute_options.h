#pragma once
// Where the arithmetic runs and in what precision: shared by train, evaluate, bench and study.
#include "common/choice.h"

namespace leuko {

enum class Device { Cpu, Cuda };
LEUKO_CHOICES(Device, {Device::Cpu, "cpu"}, {Device::Cuda, "cuda"});

// bf16 = bfloat16 autocast of the forward pass (weights and optimiser stay fp32). auto = bf16 on
// CUDA; off on a CPU without native bf16 (emulated, 13x slower than fp32 on the AVX2 machine of
// bench/RESULTS.md); on a CPU with it, for training the faster of the two for the model, measured
// (train/precision_choice.h), and for `bench` bf16. A run records what auto resolved to.
enum class Amp { Off, Bf16, Auto };
LEUKO_CHOICES(Amp, {Amp::Off, "off"}, {Amp::Bf16, "bf16"}, {Amp::Auto, "auto"});

}  // namespace leuko
