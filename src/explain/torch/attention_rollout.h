#pragma once
// Attention rollout (Abnar & Zuidema 2020), as pytorch-grad-cam's and vit-explain's authors run it
// on ViTs: per block, the heads' attention averaged (head fusion "mean"), the identity added for
// the residual connection and the rows renormalised; the blocks multiplied from first to last;
// the class token's row over the patch tokens is the map.
#include <vector>

#include <torch/types.h>

namespace leuko {

// attentions: per block [N, heads, T, T], T = 1 + h*w (class token first). Returns [N, h, w].
torch::Tensor attention_rollout(const std::vector<torch::Tensor>& attentions, int64_t h, int64_t w);

}  // namespace leuko
