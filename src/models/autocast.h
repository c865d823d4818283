#pragma once
// bfloat16 autocast for one scope (a forward pass) on the CPU or on CUDA, across LibTorch 1.13
// and 2.x, whose autocast API moved in 2.4. Leaving the scope restores the previous state and, when
// autocast was off before, clears the cast-weight cache: after an optimiser step the cached bf16
// copies are stale. Torch-free header: only autocast.cpp includes ATen.
namespace leuko {

class Bf16Autocast {
 public:
  // `cuda`: autocast the CUDA dispatch key (tensors on a GPU), else the CPU one.
  Bf16Autocast(bool enable, bool cuda);
  ~Bf16Autocast();
  Bf16Autocast(const Bf16Autocast&) = delete;
  Bf16Autocast& operator=(const Bf16Autocast&) = delete;

 private:
  bool enabled_;
  bool cuda_;
  bool previous_ = false;
};

}  // namespace leuko
