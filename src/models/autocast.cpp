#include "models/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace leuko {

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
static bool cpu_enabled() { return at::autocast::is_autocast_enabled(at::kCPU); }
static void set_cpu(bool on) {
  at::autocast::set_autocast_dtype(at::kCPU, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCPU, on);
}
#else
static bool cpu_enabled() { return at::autocast::is_cpu_enabled(); }
static void set_cpu(bool on) {
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  at::autocast::set_cpu_enabled(on);
}
#endif

CpuBf16Autocast::CpuBf16Autocast(bool enable) : enabled_(enable) {
  if (!enabled_) return;
  previous_ = cpu_enabled();
  set_cpu(true);
}

CpuBf16Autocast::~CpuBf16Autocast() {
  if (!enabled_) return;
  set_cpu(previous_);
  if (!previous_) at::autocast::clear_cache();
}

}  // namespace leuko
