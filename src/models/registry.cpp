#include "models/registry.h"

#include <torch/torch.h>

#include "common/error.h"
#include "models/resnet.h"
#include "models/simple_cnn.h"
#include "models/vit_hybrid.h"

namespace leuko {
namespace {

struct Preset {
  std::string model, preset, description;
  int64_t input_size;
};

const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = {
      {"simple-cnn", "paper", "4 conv blocks 32-64-128-256, dropout 0.5", 224},
      {"simple-cnn", "small", "3 conv blocks 32-64-128, dropout 0.5", 128},
      {"simple-cnn", "tiny", "2 conv blocks 8-16", 32},
      {"resnet50", "paper", "torchvision ResNet-50 v1.5, blocks 3-4-6-3, width 64", 224},
      {"resnet50", "small", "bottlenecks 1-1-1-1, width 32", 128},
      {"resnet50", "tiny", "bottlenecks 1-1-1-1, width 8", 32},
      {"vit-hybrid", "paper", "timm vit_base_r50_s16_224: R50 stages 3-4-9 + ViT-B/16 (12x768)", 224},
      {"vit-hybrid", "paper-384", "timm vit_base_r50_s16_384", 384},
      {"vit-hybrid", "small", "R stages 1-1-1 (128-256-512) + 4 blocks x 192, 3 heads", 128},
      {"vit-hybrid", "tiny", "R stages 1-1-1 (64-128-256, GN 8) + 2 blocks x 64, 2 heads", 64},
  };
  return all;
}

const Preset& find_preset(const std::string& name, const std::string& preset) {
  bool known_model = false;
  for (const auto& p : presets()) {
    if (p.model != name) continue;
    known_model = true;
    if (p.preset == preset) return p;
  }
  if (!known_model) {
    std::string names;
    for (const auto& n : model_names()) names += (names.empty() ? "" : ", ") + n;
    throw UserError("unknown model '" + name + "' (known: " + names + ")");
  }
  std::string list;
  for (const auto& p : preset_names(name)) list += (list.empty() ? "" : ", ") + p;
  throw UserError("unknown preset '" + preset + "' for model " + name + " (known: " + list + ")");
}

VitHybridConfig hybrid_config(const std::string& preset) {
  VitHybridConfig c;  // paper defaults
  if (preset == "small") {
    c.layers = {1, 1, 1};
    c.channels = {128, 256, 512};
    c.stem_width = 32;
    c.embed_dim = 192;
    c.depth = 4;
    c.heads = 3;
    c.mlp_dim = 768;
  } else if (preset == "tiny") {
    c.layers = {1, 1, 1};
    c.channels = {64, 128, 256};
    c.stem_width = 16;
    c.norm_groups = 8;
    c.embed_dim = 64;
    c.depth = 2;
    c.heads = 2;
    c.mlp_dim = 128;
  }
  return c;
}

}  // namespace

std::vector<std::string> model_names() { return {"simple-cnn", "resnet50", "vit-hybrid"}; }

std::vector<std::string> preset_names(const std::string& model) {
  std::vector<std::string> out;
  for (const auto& p : presets())
    if (p.model == model) out.push_back(p.preset);
  return out;
}

std::shared_ptr<ClassifierModule> make_model(const std::string& name, const std::string& preset,
                                             int64_t num_classes, int64_t image_size) {
  const Preset& p = find_preset(name, preset);
  if (num_classes < 1) throw UserError("number of classes must be at least 1, got " + std::to_string(num_classes));
  if (image_size < 0) throw UserError("image size must be positive, got " + std::to_string(image_size));
  if (image_size == 0) image_size = p.input_size;
  if (name == "simple-cnn") {
    SimpleCnnConfig c;
    if (preset == "small") c.channels = {32, 64, 128};
    if (preset == "tiny") c.channels = {8, 16};
    return std::make_shared<SimpleCnn>(c, num_classes);
  }
  if (name == "resnet50") {
    ResNetConfig c;
    if (preset == "small") c = {{1, 1, 1, 1}, 32};
    if (preset == "tiny") c = {{1, 1, 1, 1}, 8};
    return std::make_shared<ResNet>(c, num_classes);
  }
  VitHybridConfig c = hybrid_config(preset);
  c.image_size = image_size;
  return std::make_shared<VitHybrid>(c, num_classes);
}

ModelSpec describe_model(const std::string& name, const std::string& preset, int64_t num_classes,
                         int64_t image_size) {
  const Preset& p = find_preset(name, preset);
  torch::NoGradGuard no_grad;
  auto model = make_model(name, preset, num_classes, image_size);
  ModelSpec s;
  s.name = name;
  s.preset = preset;
  s.input_size = image_size > 0 ? image_size : p.input_size;
  s.num_classes = num_classes;
  s.params = count_parameters(*model);
  s.gflops = model->forward_macs(s.input_size, s.input_size) / 1e9;
  s.description = p.description;
  return s;
}

std::vector<ModelSpec> list_models(int64_t num_classes) {
  std::vector<ModelSpec> out;
  for (const auto& p : presets()) out.push_back(describe_model(p.model, p.preset, num_classes));
  return out;
}

}  // namespace leuko
