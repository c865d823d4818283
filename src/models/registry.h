#pragma once
// Named models x presets. `paper` is the exact architecture of the study's reference (torchvision
// ResNet-50, timm R50+ViT-B/16 at 224, `paper-384` at 384); `small` keeps the design but trains in
// minutes on 2 CPU cores (128 px); `tiny` exists for tests (seconds).
// Kept free of torch headers so that the `models` table costs nothing to compile.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace leuko {

class ClassifierModule;

struct ModelSpec {
  std::string name;
  std::string preset;
  int64_t input_size = 0;    // default square input side in pixels
  int64_t num_classes = 0;
  int64_t params = 0;        // trainable parameters (buffers excluded)
  double gflops = 0;         // forward GMACs at input_size (torchvision's "GFLOPS" convention)
  std::string description;
};

std::vector<std::string> model_names();
std::vector<std::string> preset_names(const std::string& model);

// image_size 0 = the preset's default. For the hybrid it also fixes the position-embedding grid.
// Unknown names are UserErrors listing the valid ones.
std::shared_ptr<ClassifierModule> make_model(const std::string& name, const std::string& preset,
                                             int64_t num_classes, int64_t image_size = 0);

ModelSpec describe_model(const std::string& name, const std::string& preset, int64_t num_classes,
                         int64_t image_size = 0);

// Every model x preset, built on the CPU to count parameters (a few seconds for the paper sizes).
std::vector<ModelSpec> list_models(int64_t num_classes = 2);

}  // namespace leuko
