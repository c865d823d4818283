#include "train/precision_choice.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/json_text.h"
#include "models/autocast.h"
#include "models/model.h"
#include "models/placement.h"
#include "models/registry.h"

namespace fs = std::filesystem;

namespace leuko {
namespace {

std::string cpu_model_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(std::min(colon + 2, line.size()));
    }
  return "unknown CPU";
}

bool usable(const nlohmann::json& entry) {
  for (const char* key : {"fp32_img_per_s", "bf16_img_per_s"}) {
    if (!entry.contains(key) || !entry[key].is_number()) return false;
    const double v = entry[key].get<double>();
    if (!std::isfinite(v) || v <= 0) return false;
  }
  return true;
}

nlohmann::json read_choices(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return nlohmann::json::object();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file_to_string(path), nullptr, /*allow_exceptions=*/false);
  } catch (const std::exception&) {
    return nlohmann::json::object();
  }
  return j.is_object() ? j : nlohmann::json::object();
}

// Puts the global CPU generator back as it was: a probe draws weights and a batch from it.
class GeneratorStateGuard {
 public:
  GeneratorStateGuard() : generator_(at::detail::getDefaultCPUGenerator()) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    state_ = generator_.get_state();
  }
  ~GeneratorStateGuard() {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(state_);
  }

 private:
  at::Generator generator_;
  at::Tensor state_;
};

}  // namespace

Amp faster_precision(const StepRates& rates) {
  return rates.bf16 >= kBf16MustBeFaster * rates.fp32 ? Amp::Bf16 : Amp::Off;
}

std::string precision_probe_key(const PrecisionProbe& p) {
  return cpu_model_name() + " | libtorch " + TORCH_VERSION + " | " + p.model + " " + p.preset + " " +
         std::to_string(p.image_size) + "px batch " + std::to_string(p.batch) + (p.channels_last ? " nhwc" : " nchw") +
         " " + std::to_string(p.threads) + " threads";
}

std::string PrecisionChoices::path() const { return (fs::path(cache_dir_) / "amp-choice.json").string(); }

std::optional<StepRates> PrecisionChoices::find(const std::string& key) const {
  const nlohmann::json all = read_choices(path());
  if (!all.contains(key) || !usable(all[key])) return std::nullopt;
  return StepRates{all[key]["fp32_img_per_s"].get<double>(), all[key]["bf16_img_per_s"].get<double>()};
}

void PrecisionChoices::store(const std::string& key, const StepRates& rates) const {
  nlohmann::json all = read_choices(path());
  all[key] = {{"fp32_img_per_s", rates.fp32}, {"bf16_img_per_s", rates.bf16}};
  write_file_atomically(path(), json_text(all, 2) + "\n", Durability::Scratch);
}

StepRates measure_step_rates(const PrecisionProbe& p) {
  GeneratorStateGuard keep_the_runs_draws;
  const int64_t classes = 2;  // the head's width costs nothing next to the body
  const int64_t batch = std::min<int64_t>(p.batch, 32);
  auto model = make_model(p.model, p.preset, classes, p.image_size);
  const int64_t side = describe_model(p.model, p.preset, classes, p.image_size).input_size;
  const auto format = p.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  if (p.channels_last) use_channels_last(*model);
  const auto x = torch::randn({batch, 3, side, side}).contiguous(format);
  const auto y = torch::randint(0, classes, {batch}, torch::kLong);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(1e-3).momentum(0.9));
  model->train();
  using clock = std::chrono::steady_clock;
  auto step = [&](bool bf16) {
    const auto t0 = clock::now();
    optimizer.zero_grad();
    torch::Tensor loss;
    {
      Bf16Autocast autocast(bf16, /*cuda=*/false);
      loss = torch::nn::functional::cross_entropy(model->forward(x).to(torch::kFloat), y);
    }
    loss.backward();
    optimizer.step();
    return std::chrono::duration<double>(clock::now() - t0).count();
  };
  step(false);  // warm-up: oneDNN builds and caches its kernels for each precision
  step(true);
  double fastest[2] = {HUGE_VAL, HUGE_VAL};
  // Alternating, so a drift in the machine's speed touches both; a large model stops after one
  // timed step each once the probe has cost 20 s (the paper hybrid: ~30 s a step in fp32).
  const auto started = clock::now();
  for (int i = 0; i < 3; ++i) {
    for (int bf16 = 0; bf16 < 2; ++bf16) fastest[bf16] = std::min(fastest[bf16], step(bf16 == 1));
    if (std::chrono::duration<double>(clock::now() - started).count() > 20) break;
  }
  return {batch / fastest[0], batch / fastest[1]};
}

Amp choose_training_amp(Amp amp, bool cuda, const PrecisionProbe& probe, const std::string& cache_dir, bool notes) {
  if (amp != Amp::Auto) return amp;
  if (cuda) return Amp::Bf16;
  if (!has_native_bf16(torch::Device(torch::kCPU))) return Amp::Off;
  const std::string key = precision_probe_key(probe);
  const PrecisionChoices remembered(cache_dir);
  std::optional<StepRates> rates = cache_dir.empty() ? std::nullopt : remembered.find(key);
  const bool measured_now = !rates;
  if (measured_now) {
    rates = measure_step_rates(probe);
    // A cache folder that cannot be written costs the next run a probe, not this run its training.
    if (!cache_dir.empty()) try {
        remembered.store(key, *rates);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "warning: --amp auto: the measured choice is not remembered: %s\n", e.what());
      }
  }
  const Amp chosen = faster_precision(*rates);
  if (notes)
    std::fprintf(stderr, "note: --amp auto: %s (%s, %lld px, batch %lld) trains at %.1f img/s in fp32 and %.1f in bf16 on this "
                 "CPU: %s (%s)\n", probe.model.c_str(), probe.preset.c_str(), static_cast<long long>(probe.image_size),
                 static_cast<long long>(probe.batch), rates->fp32, rates->bf16, chosen == Amp::Bf16 ? "bf16" : "fp32",
                 measured_now ? (cache_dir.empty() ? "measured now" : ("measured now, remembered in " + remembered.path()).c_str())
                              : ("measured before, " + remembered.path()).c_str());
  return chosen;
}

}  // namespace leuko
