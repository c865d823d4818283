#include "models/vit_hybrid.h"

#include <cmath>
#include <limits>
#include <string>

#include <torch/torch.h>

#include "models/conv_bn_fusion.h"

namespace leuko {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

// TF "SAME": output = ceil(in / stride); the total pad is split with the odd pixel at the end
// (timm layers/padding.py get_same_padding / pad_same).
std::pair<int64_t, int64_t> same_pad(int64_t size, int64_t k, int64_t stride) {
  int64_t out = (size + stride - 1) / stride;
  int64_t total = std::max<int64_t>((out - 1) * stride + k - size, 0);
  return {total / 2, total - total / 2};
}

int64_t same_out(int64_t size, int64_t stride) { return (size + stride - 1) / stride; }

// timm layers/std_conv.py StdConv2dSame: the weight is standardised per output channel (biased
// variance, eps inside the sqrt) on every call, then convolved with SAME padding. A batch-norm
// backbone (norm_groups 0) leaves the weight as it is: the batch norm already does that work.
struct StdConv2dSame : nn::Module {
  torch::Tensor weight;
  int64_t stride, kernel;
  bool standardise;
  double eps;
  StdConv2dSame(int64_t in, int64_t out, int64_t k, int64_t stride_, bool standardise_, double eps_ = 1e-8)
      : stride(stride_), kernel(k), standardise(standardise_), eps(eps_) {
    weight = register_parameter("weight", torch::empty({out, in, k, k}));
    nn::init::kaiming_normal_(weight, 0.0, torch::kFanOut, torch::kReLU);
  }
  torch::Tensor forward(torch::Tensor x) {
    auto w = !standardise ? weight
                          : torch::batch_norm(weight.reshape({1, weight.size(0), -1}), {}, {}, {}, {},
                                              /*training=*/true, 0.0, eps, /*cudnn_enabled=*/false)
                                .reshape_as(weight);
    auto [top, bottom] = same_pad(x.size(2), kernel, stride);
    auto [left, right] = same_pad(x.size(3), kernel, stride);
    if (top == bottom && left == right)
      return torch::conv2d(x, w, {}, {stride, stride}, {top, left});
    x = torch::constant_pad_nd(x, {left, right, top, bottom}, 0.0);
    return torch::conv2d(x, w, {}, {stride, stride});
  }
  double macs(int64_t& h, int64_t& w) const {
    h = same_out(h, stride);
    w = same_out(w, stride);
    return double(h) * w * weight.size(0) * weight.size(1) * kernel * kernel;
  }
};

nn::GroupNorm group_norm(int64_t groups, int64_t channels) {
  return nn::GroupNorm(nn::GroupNormOptions(groups, channels).eps(1e-5));
}

// LibTorch 1.13's CPU group_norm has no mixed-dtype kernel and bf16 autocast leaves it alone:
// normalise in the weights' dtype and hand back the caller's.
torch::Tensor group_norm_fp(nn::GroupNorm& norm, const torch::Tensor& x) {
  auto dtype = norm->weight.scalar_type();
  if (x.scalar_type() == dtype) return norm(x);
  return norm(x.to(dtype)).to(x.scalar_type());
}

// The backbone's normalisation: timm's GroupNorm, or with norm_groups 0 a batch norm (which
// trains a small backbone from scratch faster: bench/RESULTS.md). Registered under the same
// name either way, so the state-dict keys stay timm's.
struct Norm {
  nn::GroupNorm group{nullptr};
  nn::BatchNorm2d batch{nullptr};
  Norm() = default;
  Norm(nn::Module& owner, const std::string& name, int64_t groups, int64_t channels) {
    if (groups > 0)
      group = owner.register_module(name, group_norm(groups, channels));
    else
      batch = owner.register_module(name, nn::BatchNorm2d(channels));
  }
  torch::Tensor operator()(const torch::Tensor& x) { return group ? group_norm_fp(group, x) : leuko::batch_norm(batch, x); }
};

struct Stem : nn::Module {
  std::shared_ptr<StdConv2dSame> conv;
  Norm norm;
  Stem(int64_t width, int64_t groups) {
    conv = register_module("conv", std::make_shared<StdConv2dSame>(3, width, 7, 2, groups > 0));
    norm = Norm(*this, "norm", groups, width);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(norm(conv->forward(x)));
    // timm MaxPool2dSame: pad with -inf so padding never wins the max.
    auto [top, bottom] = same_pad(x.size(2), 3, 2);
    auto [left, right] = same_pad(x.size(3), 3, 2);
    x = torch::constant_pad_nd(x, {left, right, top, bottom}, -std::numeric_limits<double>::infinity());
    return torch::max_pool2d(x, 3, 2);
  }
};

struct DownsampleConv : nn::Module {
  std::shared_ptr<StdConv2dSame> conv;
  Norm norm;
  DownsampleConv(int64_t in, int64_t out, int64_t stride, int64_t groups) {
    conv = register_module("conv", std::make_shared<StdConv2dSame>(in, out, 1, stride, groups > 0));
    norm = Norm(*this, "norm", groups, out);
  }
};

// timm resnetv2.py Bottleneck (the non-pre-activation block).
struct Bottleneck : nn::Module {
  std::shared_ptr<DownsampleConv> downsample;
  std::shared_ptr<StdConv2dSame> conv1, conv2, conv3;
  Norm norm1, norm2, norm3;
  Bottleneck(int64_t in, int64_t out, int64_t stride, bool project, int64_t groups) {
    int64_t mid = out / 4;
    bool standardise = groups > 0;
    if (project) downsample = register_module("downsample", std::make_shared<DownsampleConv>(in, out, stride, groups));
    conv1 = register_module("conv1", std::make_shared<StdConv2dSame>(in, mid, 1, 1, standardise));
    norm1 = Norm(*this, "norm1", groups, mid);
    conv2 = register_module("conv2", std::make_shared<StdConv2dSame>(mid, mid, 3, stride, standardise));
    norm2 = Norm(*this, "norm2", groups, mid);
    conv3 = register_module("conv3", std::make_shared<StdConv2dSame>(mid, out, 1, 1, standardise));
    norm3 = Norm(*this, "norm3", groups, out);
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto shortcut = downsample ? downsample->norm(downsample->conv->forward(x)) : x;
    auto y = torch::relu(norm1(conv1->forward(x)));
    y = torch::relu(norm2(conv2->forward(y)));
    y = norm3(conv3->forward(y));
    return torch::relu(y + shortcut);
  }
  double macs(int64_t& h, int64_t& w) const {
    int64_t h0 = h, w0 = w;
    double m = conv1->macs(h, w) + conv2->macs(h, w) + conv3->macs(h, w);
    if (downsample) m += downsample->conv->macs(h0, w0);
    return m;
  }
};

struct Stage : nn::Module {
  std::vector<std::shared_ptr<Bottleneck>> blocks;
  Stage(int64_t in, int64_t out, int64_t depth, int64_t stride, int64_t groups) {
    auto list = nn::ModuleList();
    for (int64_t b = 0; b < depth; ++b) {
      auto block = std::make_shared<Bottleneck>(b == 0 ? in : out, out, b == 0 ? stride : 1, b == 0, groups);
      list->push_back(block);
      blocks.push_back(block);
    }
    register_module("blocks", list);
  }
};

struct ResNetV2 : nn::Module {
  std::shared_ptr<Stem> stem;
  std::vector<std::shared_ptr<Stage>> stages;
  ResNetV2(const VitHybridConfig& c) {
    stem = register_module("stem", std::make_shared<Stem>(c.stem_width, c.norm_groups));
    auto list = nn::ModuleList();
    int64_t in = c.stem_width;
    for (size_t s = 0; s < c.layers.size(); ++s) {
      auto stage = std::make_shared<Stage>(in, c.channels[s], c.layers[s], s == 0 ? 1 : 2, c.norm_groups);
      list->push_back(stage);
      stages.push_back(stage);
      in = c.channels[s];
    }
    register_module("stages", list);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = stem->forward(x);
    for (auto& stage : stages)
      for (auto& block : stage->blocks) x = block->forward(x);
    return x;
  }
  double macs(int64_t& h, int64_t& w) const {
    double m = stem->conv->macs(h, w);
    h = same_out(h, 2);
    w = same_out(w, 2);
    for (auto& stage : stages)
      for (auto& block : stage->blocks) m += block->macs(h, w);
    return m;
  }
};

struct HybridEmbed : nn::Module {
  std::shared_ptr<ResNetV2> backbone;
  nn::Conv2d proj{nullptr};
  HybridEmbed(const VitHybridConfig& c) {
    backbone = register_module("backbone", std::make_shared<ResNetV2>(c));
    proj = register_module("proj", nn::Conv2d(nn::Conv2dOptions(c.channels.back(), c.embed_dim, 1)));
  }
};

struct Attention : nn::Module {
  nn::Linear qkv{nullptr}, proj{nullptr};
  int64_t heads;
  double scale;
  Attention(int64_t dim, int64_t heads_) : heads(heads_), scale(1.0 / std::sqrt(double(dim / heads_))) {
    qkv = register_module("qkv", nn::Linear(dim, dim * 3));
    proj = register_module("proj", nn::Linear(dim, dim));
  }
  // `probs`, when given, receives the attention probabilities [N, heads, T, T] (for rollout).
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor* probs = nullptr) {
    int64_t b = x.size(0), n = x.size(1), c = x.size(2);
    auto qkv_ = qkv(x).reshape({b, n, 3, heads, c / heads}).permute({2, 0, 3, 1, 4});
    auto q = qkv_[0] * scale, k = qkv_[1], v = qkv_[2];
    auto attn = torch::matmul(q, k.transpose(-2, -1)).softmax(-1);
    if (probs) *probs = attn;
    return proj(torch::matmul(attn, v).transpose(1, 2).reshape({b, n, c}));
  }
};

struct Mlp : nn::Module {
  nn::Linear fc1{nullptr}, fc2{nullptr};
  Mlp(int64_t dim, int64_t hidden) {
    fc1 = register_module("fc1", nn::Linear(dim, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, dim));
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2(torch::gelu(fc1(x))); }
};

nn::LayerNorm layer_norm(int64_t dim) {
  return nn::LayerNorm(nn::LayerNormOptions({dim}).eps(1e-6));
}

// Stochastic depth (timm layers/drop.py drop_path): in training, each image's residual branch is
// dropped with probability p and kept ones scaled by 1 / (1 - p), so the expectation is unchanged.
torch::Tensor drop_path(const torch::Tensor& branch, double p, bool training) {
  if (p <= 0 || !training) return branch;
  std::vector<int64_t> shape(static_cast<size_t>(branch.dim()), 1);
  shape[0] = branch.size(0);
  const auto keep = torch::empty(shape, branch.options()).bernoulli_(1.0 - p);
  return branch * keep / (1.0 - p);
}

// Pre-norm block (timm vision_transformer.py Block); LibTorch's own encoder layer is post-norm.
struct Block : nn::Module {
  nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  std::shared_ptr<Attention> attn;
  std::shared_ptr<Mlp> mlp;
  double drop_path_rate = 0;  // no parameters: timm's drop_path1/2 are identities in the state dict
  Block(int64_t dim, int64_t heads, int64_t hidden) {
    norm1 = register_module("norm1", layer_norm(dim));
    attn = register_module("attn", std::make_shared<Attention>(dim, heads));
    norm2 = register_module("norm2", layer_norm(dim));
    mlp = register_module("mlp", std::make_shared<Mlp>(dim, hidden));
  }
  // `taps`, when given, receives this block's attention probabilities and, when `last`, its
  // normed input tokens (pytorch-grad-cam's target layer for ViTs: blocks[-1].norm1).
  torch::Tensor forward(torch::Tensor x, VitHybrid::Taps* taps = nullptr, bool last = false) {
    auto tokens = norm1(x);
    if (!taps) {
      x = x + drop_path(attn->forward(tokens), drop_path_rate, is_training());
      return x + drop_path(mlp->forward(norm2(x)), drop_path_rate, is_training());
    }
    if (last) taps->last_block_tokens = tokens;
    torch::Tensor probs;
    x = x + attn->forward(tokens, &probs);
    taps->attention.push_back(probs);
    return x + mlp->forward(norm2(x));
  }
};

}  // namespace

int64_t vit_hybrid_grid(const VitHybridConfig& config, int64_t image_size) {
  int64_t s = same_out(same_out(image_size, 2), 2);
  for (size_t i = 1; i < config.layers.size(); ++i) s = same_out(s, 2);
  return s;
}

torch::Tensor resample_pos_embed(const torch::Tensor& pos_embed, int64_t new_h, int64_t new_w,
                                 int64_t prefix_tokens) {
  int64_t old_tokens = pos_embed.size(1) - prefix_tokens;
  auto old_side = static_cast<int64_t>(std::llround(std::sqrt(double(old_tokens))));
  if (old_side * old_side != old_tokens)
    throw std::invalid_argument("pos_embed has " + std::to_string(old_tokens) + " grid tokens, not a square grid");
  if (old_side == new_h && old_side == new_w) return pos_embed;
  int64_t dim = pos_embed.size(2);
  auto prefix = pos_embed.narrow(1, 0, prefix_tokens);
  auto grid = pos_embed.narrow(1, prefix_tokens, old_tokens).to(torch::kFloat)
                  .reshape({1, old_side, old_side, dim}).permute({0, 3, 1, 2});
  grid = F::interpolate(grid, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{new_h, new_w})
                                  .mode(torch::kBicubic)
                                  .align_corners(false)
                                  .antialias(true));
  grid = grid.permute({0, 2, 3, 1}).reshape({1, new_h * new_w, dim}).to(pos_embed.scalar_type());
  return torch::cat({prefix, grid}, 1);
}

struct VitHybrid::Impl {
  std::shared_ptr<HybridEmbed> patch_embed;
  torch::Tensor cls_token, pos_embed;
  std::vector<std::shared_ptr<Block>> blocks;
  nn::LayerNorm norm{nullptr};
  nn::Linear head{nullptr};
};

VitHybrid::VitHybrid(const VitHybridConfig& config, int64_t num_classes)
    : impl_(std::make_shared<Impl>()), config_(config), num_classes_(num_classes) {
  if (config.layers.size() != config.channels.size() || config.layers.empty())
    throw std::invalid_argument("vit-hybrid: layers and channels must have the same, non-zero length");
  auto& m = *impl_;
  int64_t d = config.embed_dim;
  m.patch_embed = register_module("patch_embed", std::make_shared<HybridEmbed>(config));
  int64_t grid = vit_hybrid_grid(config, config.image_size);
  // timm: cls_token ~ N(0, 1e-6), pos_embed ~ N(0, 0.02), linears ~ N(0, 0.02) with zero bias.
  m.cls_token = register_parameter("cls_token", torch::randn({1, 1, d}) * 1e-6);
  m.pos_embed = register_parameter("pos_embed", torch::randn({1, grid * grid + 1, d}) * 0.02);
  auto list = nn::ModuleList();
  for (int64_t i = 0; i < config.depth; ++i) {
    auto block = std::make_shared<Block>(d, config.heads, config.mlp_dim);
    list->push_back(block);
    m.blocks.push_back(block);
  }
  register_module("blocks", list);
  m.norm = register_module("norm", layer_norm(d));
  m.head = register_module("head", nn::Linear(d, num_classes));
  for (auto& module : modules(false)) {
    if (auto* lin = module->as<nn::Linear>()) {
      nn::init::normal_(lin->weight, 0.0, 0.02);
      nn::init::zeros_(lin->bias);
    }
  }
}

bool VitHybrid::set_drop_path_rate(double rate) {
  const auto& blocks = impl_->blocks;
  for (size_t i = 0; i < blocks.size(); ++i)  // timm: torch.linspace(0, drop_path_rate, depth)
    blocks[i]->drop_path_rate = blocks.size() > 1 ? rate * static_cast<double>(i) / static_cast<double>(blocks.size() - 1) : 0.0;
  return true;
}

torch::Tensor VitHybrid::forward_features(torch::Tensor x) { return forward_features(x, nullptr); }

torch::Tensor VitHybrid::forward_features(torch::Tensor x, Taps* taps) {
  auto& m = *impl_;
  x = m.patch_embed->proj(m.patch_embed->backbone->forward(x));
  int64_t gh = x.size(2), gw = x.size(3);
  x = x.flatten(2).transpose(1, 2);
  x = torch::cat({m.cls_token.expand({x.size(0), -1, -1}), x}, 1);
  x = x + resample_pos_embed(m.pos_embed, gh, gw);
  if (taps) taps->grid = {gh, gw};
  for (size_t i = 0; i < m.blocks.size(); ++i) x = m.blocks[i]->forward(x, taps, i + 1 == m.blocks.size());
  return m.norm(x);
}

torch::Tensor VitHybrid::forward_head(torch::Tensor x, bool pre_logits) {
  x = x.select(1, 0);  // the class token
  return pre_logits ? x : impl_->head(x);
}

double VitHybrid::forward_macs(int64_t h, int64_t w) const {
  double macs = impl_->patch_embed->backbone->macs(h, w);
  double n = double(h) * w + 1, d = double(config_.embed_dim);
  macs += double(h) * w * config_.channels.back() * d;
  double per_block = n * d * 3 * d + 2 * n * n * d + n * d * d + 2 * n * d * config_.mlp_dim;
  return macs + config_.depth * per_block + d * num_classes_;
}

}  // namespace leuko
