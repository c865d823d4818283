#pragma once
// CPU bfloat16 autocast for one scope (a forward pass), across LibTorch 1.13 and 2.x, whose
// autocast API moved in 2.4. Leaving the scope clears the cast-weight cache: after an optimiser
// step the cached bf16 copies are stale.
namespace leuko {

class CpuBf16Autocast {
 public:
  explicit CpuBf16Autocast(bool enable);
  ~CpuBf16Autocast();
  CpuBf16Autocast(const CpuBf16Autocast&) = delete;
  CpuBf16Autocast& operator=(const CpuBf16Autocast&) = delete;

 private:
  bool enabled_;
  bool previous_ = false;
};

}  // namespace leuko
