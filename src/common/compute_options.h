#pragma once
// Where the arithmetic runs and in what precision: shared by train, evaluate, bench and study.
#include "common/choice.h"

namespace leuko {

enum class Device { Cpu, Cuda };
LEUKO_CHOICES(Device, {Device::Cpu, "cpu"}, {Device::Cuda, "cuda"});

// bf16 = bfloat16 autocast of the forward pass (weights and optimiser stay fp32).
enum class Amp { Off, Bf16 };
LEUKO_CHOICES(Amp, {Amp::Off, "off"}, {Amp::Bf16, "bf16"});

}  // namespace leuko
