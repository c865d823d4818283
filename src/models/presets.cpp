#include "models/presets.h"

#include <algorithm>

#include "common/error.h"

namespace leuko {
namespace {

std::vector<ModelPreset> make_table() {
  //                                  stage bottlenecks  stage outputs     stem  GN  dim depth heads  MLP
  // (GN 0 = batch norm: the small backbone trains from scratch; with GroupNorm over 1-channel
  //  groups it reached 0.904 C-NMC test macro-F1, with batch norm 0.945 — bench/RESULTS.md)
  const VitHybridConfig vit_base_r50{{3, 4, 9},         {256, 512, 1024}, 64,   32, 768, 12,   12, 3072};
  const VitHybridConfig vit_small{{1, 1, 1},            {128, 256, 512},  32,    0, 192, 4,    3,  768};
  const VitHybridConfig vit_tiny{{1, 1, 1},             {64, 128, 256},   16,   8,  64,  2,    2,  128};
  std::vector<ModelPreset> table = {
      //                          input  SimpleCnnConfig{channels, dropout}
      {"simple-cnn", "paper",       224, SimpleCnnConfig{{32, 64, 128, 256}, 0.5}, "the study's baseline"},
      {"simple-cnn", "base",        128, SimpleCnnConfig{{32, 64, 128, 256}, 0.5}, "the plain PyTorch recipe's CNN"},
      {"simple-cnn", "small",       128, SimpleCnnConfig{{32, 64, 128}, 0.5}, ""},
      {"simple-cnn", "tiny",         32, SimpleCnnConfig{{8, 16}, 0.5}, ""},
      //                                 ResNetConfig{bottlenecks per stage, width}
      {"resnet50",   "paper",       224, ResNetConfig{{3, 4, 6, 3}, 64}, "torchvision ResNet-50 v1.5"},
      {"resnet50",   "small",       128, ResNetConfig{{1, 1, 1, 1}, 32}, ""},
      {"resnet50",   "tiny",         32, ResNetConfig{{1, 1, 1, 1}, 8}, ""},
      {"vit-hybrid", "paper",       224, vit_base_r50, "timm vit_base_r50_s16_224"},
      {"vit-hybrid", "paper-384",   384, vit_base_r50, "timm vit_base_r50_s16_384"},
      {"vit-hybrid", "small",       128, vit_small, ""},
      {"vit-hybrid", "tiny",         64, vit_tiny, ""},
  };
  // The hybrid's position-embedding grid is that of the preset's input size.
  for (auto& entry : table)
    if (auto* vit = std::get_if<VitHybridConfig>(&entry.config)) vit->image_size = entry.input_size;
  return table;
}

}  // namespace

std::string ModelPreset::description() const {
  std::string arch = std::visit([](const auto& c) { return describe(c); }, config);
  return note.empty() ? arch : arch + " (" + note + ")";
}

const std::vector<ModelPreset>& model_presets() {
  static const std::vector<ModelPreset> table = make_table();
  return table;
}

std::vector<std::string> model_names() {
  std::vector<std::string> out;
  for (const auto& p : model_presets())
    if (std::find(out.begin(), out.end(), p.model) == out.end()) out.push_back(p.model);
  return out;
}

std::vector<std::string> preset_names(const std::string& model) {
  std::vector<std::string> out;
  for (const auto& p : model_presets())
    if (p.model == model) out.push_back(p.preset);
  return out;
}

std::string default_preset(const std::string& model) { return model == "simple-cnn" ? "base" : "small"; }

const ModelPreset& find_preset(const std::string& model, const std::string& preset) {
  for (const auto& p : model_presets())
    if (p.model == model && p.preset == preset) return p;
  const auto presets = preset_names(model);
  std::string known;  // the models when the model is unknown, else its presets
  for (const auto& name : presets.empty() ? model_names() : presets) known += (known.empty() ? "" : ", ") + name;
  if (presets.empty()) throw UserError("unknown model '" + model + "' (known: " + known + ")");
  throw UserError("unknown preset '" + preset + "' for model " + model + " (known: " + known + ")");
}

}  // namespace leuko
