#pragma once
// Model weights by name in safetensors files, interchangeable with torchvision/timm state_dicts:
// what leukoscope saves, `torchvision.models.resnet50(num_classes=N).load_state_dict(...)` loads
// unchanged (buffers such as BatchNorm running statistics included), and timm/torchvision
// checkpoints converted to safetensors load here.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

namespace leuko {

class ClassifierModule;

struct LoadOptions {
  // A head trained for another number of classes is left at its fresh initialisation (reported)
  // instead of refused: the usual fine-tuning case.
  bool skip_mismatched_head = true;
  // Missing or unexpected keys become errors instead of report lines.
  bool strict = false;
};

struct LoadReport {
  std::vector<std::string> loaded;
  std::vector<std::string> missing;     // in the model, not in the file
  std::vector<std::string> unexpected;  // in the file, not in the model
  std::vector<std::string> skipped_head;
  std::vector<std::string> resampled;   // pos_embed brought to the model's token grid
  std::string summary() const;          // one line for logs
};

// Every tensor of a safetensors file, converted to torch (F32, F16, BF16, F64, integer, bool).
std::map<std::string, torch::Tensor> read_safetensors(const std::string& path);

// Writes float tensors as F32 (integer buffers keep their integer dtype), atomically.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Copies tensors into the module's parameters and buffers by name. Nothing is modified when the
// load is refused (shape mismatch outside the head, strict violations): a UserError naming the key
// and both shapes.
LoadReport load_state(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                      const std::vector<std::string>& head_prefixes, const std::string& source,
                      const LoadOptions& options = {});
LoadReport load_state(ClassifierModule& model, const std::string& path, const LoadOptions& options = {});

void save_state(const torch::nn::Module& module, const std::string& path,
                const std::map<std::string, std::string>& metadata = {});

}  // namespace leuko
