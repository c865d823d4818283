#pragma once
// What `--amp auto` trains in. On CUDA: bf16. On a CPU without native bf16: fp32 (emulated bf16
// is 13x slower, bench/RESULTS.md). On a CPU with it (AVX512-BF16, AMX): whichever of fp32 and
// bf16 runs *this* model's training step faster on *this* CPU, timed once on a synthetic batch and
// remembered in the cache folder. The CPU's flags alone do not tell: on the 2-core AMD EPYC of
// bench/RESULTS.md bf16 sped every model up 1.5-4x; on a 2-core Intel Xeon with the same flag it
// made the simple CNN 0.73x and ResNet50 0.84x as fast and only the ViT Hybrid faster (2.4x).
// Torch-free header.
#include <optional>
#include <string>

#include "common/compute_options.h"

namespace leuko {

// The training step the choice is for: the run's model, preset, input side, batch, layout and
// intra-op threads.
struct PrecisionProbe {
  std::string model, preset;
  int64_t image_size = 0;
  int64_t batch = 32;
  bool channels_last = false;
  int threads = 1;
};

// Training images per second of one step in each precision.
struct StepRates {
  double fp32 = 0, bf16 = 0;
};

// bf16 must beat fp32 by this much: it also rounds activations, so a tie goes to fp32.
inline constexpr double kBf16MustBeFaster = 1.10;

Amp faster_precision(const StepRates& rates);

// The key of a probe in the remembered choices: the CPU's model name and LibTorch's version
// (another CPU or kernel library may rank the precisions otherwise), then the probe's fields.
std::string precision_probe_key(const PrecisionProbe& probe);

// `<cache_dir>/amp-choice.json`: one StepRates per key. An unreadable or foreign file, or an entry
// that is not two positive rates, reads as absent (measured again and rewritten).
class PrecisionChoices {
 public:
  explicit PrecisionChoices(std::string cache_dir) : cache_dir_(std::move(cache_dir)) {}
  std::string path() const;
  std::optional<StepRates> find(const std::string& key) const;
  // Read-modify-write, renamed into place: two processes storing at once may lose one entry,
  // which is then measured again — never a torn file. UserError when the folder is not writable.
  void store(const std::string& key, const StepRates& rates) const;

 private:
  std::string cache_dir_;
};

// Times the probe's training step (SGD, synthetic batch of at most 32 images, one warm-up step per
// precision, then up to three timed steps each, alternating; the fastest of each). The global
// CPU random generator is restored afterwards, so a run's initial weights and draws are the same
// whether or not a probe ran before them.
StepRates measure_step_rates(const PrecisionProbe& probe);

// Amp::Auto resolved for a training run (any other value is returned as it is). `cache_dir`
// empty: measured, not remembered. `notes`: print one stderr line saying what was chosen and why.
Amp choose_training_amp(Amp amp, bool cuda, const PrecisionProbe& probe, const std::string& cache_dir, bool notes);

}  // namespace leuko
