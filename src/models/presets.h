#pragma once
// Presets as data, the way timm registers models: one entry per model x preset holding the
// architecture's hyper-parameters (the model's own config struct), its default input size and a
// free-text note. The builder (registry.cpp: make_model) and the `models` listing read the same
// entry, and the listed architecture is generated from the config, so the two cannot drift.
//
// `paper` is the exact architecture of the study's reference (torchvision ResNet-50, timm
// R50+ViT-B/16 at 224, `paper-384` at 384); `small` keeps the design but trains in minutes on
// 2 CPU cores (128 px); `tiny` exists for tests (seconds). The simple CNN also has `base`: the
// paper's four blocks at 128 px, the plain PyTorch recipe's network.
// Torch-free: included by registry.h, which torch-free code includes.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "models/model_config.h"

namespace leuko {

// Which alternative is held decides the architecture built.
using ArchitectureConfig = std::variant<SimpleCnnConfig, ResNetConfig, VitHybridConfig>;

struct ModelPreset {
  std::string model;   // "resnet50"
  std::string preset;  // "paper"
  int64_t input_size = 0;  // default square input side in pixels (the hybrid's position grid)
  ArchitectureConfig config;
  std::string note;    // provenance, e.g. "torchvision ResNet-50 v1.5"; may be empty

  // describe(config), then the note in parentheses:
  // "bottlenecks 3-4-6-3, width 64 (torchvision ResNet-50 v1.5)"
  std::string description() const;
};

// Every entry, grouped by model in model_names() order.
const std::vector<ModelPreset>& model_presets();

// The models of the table in order, and the presets of one (empty for an unknown model).
std::vector<std::string> model_names();
std::vector<std::string> preset_names(const std::string& model);

// The preset a run gets when it names none: `base` for the simple CNN — with it and the plain
// recipe's other settings leukoscope learnt more on C-NMC fold 0 and on Aria than with the 3-block
// `small` (94 k parameters against 390 k; bench/defaults_ablation.sh, bench/RESULTS.md) — and
// `small` for the others, whose capacity was not in question.
std::string default_preset(const std::string& model);

// The entry for model x preset; unknown names are UserErrors listing the known ones.
const ModelPreset& find_preset(const std::string& model, const std::string& preset);

}  // namespace leuko
