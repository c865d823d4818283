#pragma once
// Named models x presets: builds and describes the entries of the preset table (presets.h).
// Kept free of torch headers so that the `models` table costs nothing to compile.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/presets.h"  // ModelPreset, find_preset, model_names, preset_names

namespace leuko {

class ClassifierModule;

// The widest head make_model builds (ImageNet-21k has 21,843 classes).
constexpr int64_t kMaxClasses = 100000;

struct ModelSpec {
  std::string name;
  std::string preset;
  int64_t input_size = 0;    // default square input side in pixels
  int64_t num_classes = 0;
  int64_t params = 0;        // trainable parameters (buffers excluded)
  double gflops = 0;         // forward GMACs at input_size (torchvision's "GFLOPS" convention)
  std::string description;   // ModelPreset::description(): generated from the config built
};

// image_size 0 = the preset's default. For the hybrid it also fixes the position-embedding grid.
// Unknown names are UserErrors listing the valid ones, and so are num_classes outside
// 1..kMaxClasses and a negative image_size.
std::shared_ptr<ClassifierModule> make_model(const std::string& name, const std::string& preset,
                                             int64_t num_classes, int64_t image_size = 0);
std::shared_ptr<ClassifierModule> make_model(const ModelPreset& entry, int64_t num_classes,
                                             int64_t image_size = 0);

ModelSpec describe_model(const std::string& name, const std::string& preset, int64_t num_classes,
                         int64_t image_size = 0);

// Every model x preset, built on the CPU to count parameters (a few seconds for the paper sizes).
std::vector<ModelSpec> list_models(int64_t num_classes = 2);

// Called where a run's weights failed to load: when its recorded architecture (config.json's
// model_spec.description) is not what its preset builds today (the hybrid's `small` backbone took
// batch norms on 2026-12-06), UserError naming `where`, both architectures and what to do,
// instead of a list of missing weights. Returns when they read the same (or nothing is recorded):
// the caller rethrows the load's own error.
void require_unchanged_architecture(const std::string& model, const std::string& preset,
                                    const std::string& trained_as, const std::string& where);

}  // namespace leuko
