#pragma once
// Where the arithmetic runs and in what precision: shared by train, evaluate, bench and study.
#include "common/choice.h"

namespace leuko {

enum class Device { Cpu, Cuda };
LEUKO_CHOICES(Device, {Device::Cpu, "cpu"}, {Device::Cuda, "cuda"});

// bf16 = bfloat16 autocast of the forward pass (weights and optimiser stay fp32). auto = bf16
// where the hardware computes it natively (CUDA, or a CPU with AVX512-BF16 or AMX), else off: on a
// CPU without it bf16 is emulated — 13x slower than fp32 on the AVX2 machine of bench/RESULTS.md.
// A run records what auto resolved to.
enum class Amp { Off, Bf16, Auto };
LEUKO_CHOICES(Amp, {Amp::Off, "off"}, {Amp::Bf16, "bf16"}, {Amp::Auto, "auto"});

}  // namespace leuko
