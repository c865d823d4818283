#include "models/model_config.h"

#include <sstream>

namespace leuko {
namespace {

// {3, 4, 6, 3} -> "3-4-6-3"
std::string dashed(const std::vector<int64_t>& values) {
  std::string out;
  for (auto v : values) out += (out.empty() ? "" : "-") + std::to_string(v);
  return out;
}

}  // namespace

std::string describe(const SimpleCnnConfig& c) {
  std::ostringstream s;
  s << c.channels.size() << " conv blocks " << dashed(c.channels) << ", dropout " << c.dropout;
  return s.str();
}

std::string describe(const ResNetConfig& c) {
  return "bottlenecks " + dashed(c.layers) + ", width " + std::to_string(c.width);
}

std::string describe(const VitHybridConfig& c) {
  const std::string norm = c.norm_groups > 0 ? "GN " + std::to_string(c.norm_groups) : "BN";
  return "ResNet stages " + dashed(c.layers) + " (" + dashed(c.channels) + ", stem " + std::to_string(c.stem_width) +
         ", " + norm + ") + ViT " + std::to_string(c.depth) + " blocks x " + std::to_string(c.embed_dim) + ", " +
         std::to_string(c.heads) + " heads, MLP " + std::to_string(c.mlp_dim);
}

}  // namespace leuko
