#include "models/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace leuko {

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
static bool is_on(bool cuda) { return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU); }
static void set_on(bool cuda, bool on) {
  const auto type = cuda ? at::kCUDA : at::kCPU;
  at::autocast::set_autocast_dtype(type, at::kBFloat16);
  at::autocast::set_autocast_enabled(type, on);
}
#else
// LibTorch < 2.4: CUDA autocast is the unqualified "enabled" state with the "gpu" dtype.
static bool is_on(bool cuda) { return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
static void set_on(bool cuda, bool on) {
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(on);
  } else {
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(on);
  }
}
#endif

Bf16Autocast::Bf16Autocast(bool enable, bool cuda) : enabled_(enable), cuda_(cuda) {
  if (!enabled_) return;
  previous_ = is_on(cuda_);
  set_on(cuda_, true);
}

Bf16Autocast::~Bf16Autocast() {
  if (!enabled_) return;
  set_on(cuda_, previous_);
  if (!previous_) at::autocast::clear_cache();
}

}  // namespace leuko
