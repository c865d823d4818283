#include "models/registry.h"

#include <torch/torch.h>

#include "common/error.h"
#include "models/resnet.h"
#include "models/simple_cnn.h"
#include "models/vit_hybrid.h"

namespace leuko {
namespace {

// The architecture is the alternative the entry's config holds.
struct Build {
  int64_t num_classes, image_size;
  std::shared_ptr<ClassifierModule> operator()(const SimpleCnnConfig& c) const {
    return std::make_shared<SimpleCnn>(c, num_classes);
  }
  std::shared_ptr<ClassifierModule> operator()(const ResNetConfig& c) const {
    return std::make_shared<ResNet>(c, num_classes);
  }
  std::shared_ptr<ClassifierModule> operator()(VitHybridConfig c) const {
    c.image_size = image_size;
    return std::make_shared<VitHybrid>(c, num_classes);
  }
};

ModelSpec describe(const ModelPreset& entry, int64_t num_classes, int64_t image_size) {
  torch::NoGradGuard no_grad;
  auto model = make_model(entry, num_classes, image_size);
  ModelSpec s;
  s.name = entry.model;
  s.preset = entry.preset;
  s.input_size = image_size > 0 ? image_size : entry.input_size;
  s.num_classes = num_classes;
  s.params = count_parameters(*model);
  s.gflops = model->forward_macs(s.input_size, s.input_size) / 1e9;
  s.description = entry.description();
  return s;
}

}  // namespace

std::shared_ptr<ClassifierModule> make_model(const ModelPreset& entry, int64_t num_classes, int64_t image_size) {
  if (num_classes < 1 || num_classes > kMaxClasses)
    throw UserError("number of classes must be 1 to " + std::to_string(kMaxClasses) + ", got " +
                    std::to_string(num_classes));
  if (image_size < 0) throw UserError("image size must be positive, got " + std::to_string(image_size));
  return std::visit(Build{num_classes, image_size > 0 ? image_size : entry.input_size}, entry.config);
}

std::shared_ptr<ClassifierModule> make_model(const std::string& name, const std::string& preset,
                                             int64_t num_classes, int64_t image_size) {
  return make_model(find_preset(name, preset), num_classes, image_size);
}

ModelSpec describe_model(const std::string& name, const std::string& preset, int64_t num_classes,
                         int64_t image_size) {
  return describe(find_preset(name, preset), num_classes, image_size);
}

std::vector<ModelSpec> list_models(int64_t num_classes) {
  std::vector<ModelSpec> out;
  for (const auto& entry : model_presets()) out.push_back(describe(entry, num_classes, 0));
  return out;
}

void require_unchanged_architecture(const std::string& model, const std::string& preset,
                                    const std::string& trained_as, const std::string& where) {
  const std::string now = find_preset(model, preset).description();
  if (trained_as.empty() || trained_as == now) return;
  throw UserError(where + ": trained as " + model + " " + preset + " = '" + trained_as + "', which this leukoscope's " +
                  preset + " preset no longer is ('" + now + "'): retrain it, or use the leukoscope that trained it");
}

}  // namespace leuko
