#include "models/weights.h"

#include <cmath>
#include <cstring>
#include <set>

#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "models/model.h"
#include "models/safetensors.h"
#include "models/vit_hybrid.h"

namespace leuko {
namespace {

namespace st = safetensors;

torch::ScalarType to_torch(st::DType dtype, const std::string& source, const std::string& name) {
  switch (dtype) {
    case st::DType::BOOL: return torch::kBool;
    case st::DType::U8: return torch::kUInt8;
    case st::DType::I8: return torch::kInt8;
    case st::DType::I16: return torch::kInt16;
    case st::DType::I32: return torch::kInt32;
    case st::DType::I64: return torch::kInt64;
    case st::DType::F16: return torch::kHalf;
    case st::DType::BF16: return torch::kBFloat16;
    case st::DType::F32: return torch::kFloat;
    case st::DType::F64: return torch::kDouble;
    default:
      throw UserError(source + ": tensor '" + name + "' has dtype " + st::dtype_name(dtype) + ", which torch cannot hold");
  }
}

std::string shape_str(at::IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

bool starts_with_any(const std::string& key, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes)
    if (key.compare(0, p.size(), p) == 0) return true;
  return false;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::string LoadReport::summary() const {
  std::string s = "loaded " + std::to_string(loaded.size()) + " tensors";
  if (!resampled.empty()) s += "; resampled " + join(resampled);
  if (!skipped_head.empty()) s += "; head re-initialised (class count differs): " + join(skipped_head);
  if (!missing.empty()) s += "; missing: " + join(missing);
  if (!unexpected.empty()) s += "; unexpected: " + join(unexpected);
  return s;
}

std::map<std::string, torch::Tensor> read_safetensors(const std::string& path) {
  std::string bytes;
  try {
    bytes = read_file_to_string(path);
  } catch (const UserError&) {
    throw;
  } catch (const std::exception& e) {
    throw UserError(path + ": cannot read: " + e.what());
  }
  auto archive = st::parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
  std::map<std::string, torch::Tensor> out;
  for (const auto& t : archive.tensors) {
    auto tensor = torch::empty(t.shape, torch::TensorOptions().dtype(to_torch(t.dtype, path, t.name)));
    if (t.nbytes) std::memcpy(tensor.data_ptr(), t.data, t.nbytes);
    out.emplace(t.name, tensor);
  }
  return out;
}

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> keep;
  std::vector<st::TensorBytes> items;
  for (const auto& [name, tensor] : tensors) {
    auto t = tensor.detach().to(torch::kCPU);
    st::DType dtype;
    if (t.is_floating_point()) {
      t = t.to(torch::kFloat);
      dtype = st::DType::F32;
    } else if (t.scalar_type() == torch::kInt64) {
      dtype = st::DType::I64;
    } else if (t.scalar_type() == torch::kInt32) {
      dtype = st::DType::I32;
    } else if (t.scalar_type() == torch::kBool) {
      dtype = st::DType::BOOL;
    } else if (t.scalar_type() == torch::kUInt8) {
      dtype = st::DType::U8;
    } else {
      throw std::invalid_argument("write_safetensors: unsupported dtype for '" + name + "'");
    }
    t = t.contiguous();
    keep.push_back(t);
    items.push_back({name, dtype, t.sizes().vec(), t.data_ptr(), static_cast<size_t>(t.nbytes())});
  }
  write_file_atomically(path, st::serialize(items, metadata));
}

LoadReport load_state(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                      const std::vector<std::string>& head_prefixes, const std::string& source,
                      const LoadOptions& options) {
  LoadReport report;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;  // destination, source
  std::set<std::string> used;
  for (auto& [name, dst] : state_entries(module)) {
    auto it = tensors.find(name);
    if (it == tensors.end()) {
      report.missing.push_back(name);
      continue;
    }
    used.insert(name);
    torch::Tensor src = it->second;
    if (src.sizes() != dst.sizes() && name == "pos_embed" && src.dim() == 3 && dst.dim() == 3 &&
        src.size(2) == dst.size(2) && src.size(0) == 1) {
      // The grid the checkpoint was trained on differs from the model's: resample like timm.
      auto side = static_cast<int64_t>(std::llround(std::sqrt(double(dst.size(1) - 1))));
      if (side * side == dst.size(1) - 1) {
        try {
          src = resample_pos_embed(src, side, side);
        } catch (const std::exception& e) {
          throw UserError(source + ": cannot resample pos_embed " + shape_str(src.sizes()) + ": " + e.what());
        }
        report.resampled.push_back(name + " " + shape_str(it->second.sizes()) + " -> " + shape_str(dst.sizes()));
      }
    }
    if (src.sizes() != dst.sizes()) {
      if (options.skip_mismatched_head && starts_with_any(name, head_prefixes)) {
        report.skipped_head.push_back(name + " " + shape_str(src.sizes()) + " vs model " + shape_str(dst.sizes()));
        continue;
      }
      throw UserError(source + ": shape mismatch for '" + name + "': file " + shape_str(src.sizes()) +
                      ", model " + shape_str(dst.sizes()));
    }
    if (src.is_floating_point() != dst.is_floating_point())
      throw UserError(source + ": '" + name + "' is " + std::string(c10::toString(src.scalar_type())) +
                      " in the file but " + c10::toString(dst.scalar_type()) + " in the model");
    copies.emplace_back(dst, src);
    report.loaded.push_back(name);
  }
  for (const auto& [name, t] : tensors)
    if (!used.count(name)) report.unexpected.push_back(name);
  if (options.strict && (!report.missing.empty() || !report.unexpected.empty()))
    throw UserError(source + ": weights do not match the model: " + report.summary());
  torch::NoGradGuard no_grad;
  for (auto& [dst, src] : copies) dst.copy_(src.to(dst.device(), dst.scalar_type()));
  return report;
}

LoadReport load_state(ClassifierModule& model, const std::string& path, const LoadOptions& options) {
  return load_state(model, read_safetensors(path), model.head_prefixes(), path, options);
}

void save_state(const torch::nn::Module& module, const std::string& path,
                const std::map<std::string, std::string>& metadata) {
  auto meta = metadata;
  meta.emplace("format", "pt");
  write_safetensors(path, state_entries(module), meta);
}

}  // namespace leuko
