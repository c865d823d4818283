// The architectures are the references': exact parameter counts, torchvision's names and shapes,
// timm's names, and every model x preset trains (forward + backward) at sizes it was not built for.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <fstream>
#include <sstream>

#include "common/parallel.h"
#include "models/autocast.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/vit_hybrid.h"

namespace {

// libtorch starts with one intra-op thread here; the suite's time budget assumes every core.
struct ThreadsEnvironment : ::testing::Environment {
  void SetUp() override { at::set_num_threads(leuko::default_thread_count()); }
};
[[maybe_unused]] auto* const threads_env = ::testing::AddGlobalTestEnvironment(new ThreadsEnvironment);

std::map<std::string, std::vector<int64_t>> shapes_of(const torch::nn::Module& m) {
  std::map<std::string, std::vector<int64_t>> out;
  for (auto& [name, t] : leuko::state_entries(m)) out[name] = t.sizes().vec();
  return out;
}

}  // namespace

TEST(Architecture, ResNet50ParameterCountsMatchTorchvision) {
  EXPECT_EQ(leuko::count_parameters(*leuko::make_model("resnet50", "paper", 1000)), 25557032);
  EXPECT_EQ(leuko::count_parameters(*leuko::make_model("resnet50", "paper", 2)), 23512130);
}

TEST(Architecture, ResNet50StateDictEqualsTorchvisionsNamesAndShapesInOrder) {
  std::ifstream in(std::string(LEUKO_SOURCE_DIR) + "/tests/models/resnet50_torchvision_state.txt");
  ASSERT_TRUE(in) << "missing tests/models/resnet50_torchvision_state.txt";
  std::vector<std::pair<std::string, std::vector<int64_t>>> params, buffers;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string kind, name, dims;
    ss >> kind >> name >> dims;
    std::vector<int64_t> shape;
    std::stringstream ds(dims);
    for (std::string d; std::getline(ds, d, ',');) shape.push_back(std::stoll(d));
    (kind == "param" ? params : buffers).emplace_back(name, shape);
  }
  ASSERT_EQ(params.size(), 161u);
  auto model = leuko::make_model("resnet50", "paper", 1000);
  std::vector<std::pair<std::string, std::vector<int64_t>>> ours_p, ours_b;
  for (const auto& p : model->named_parameters()) ours_p.emplace_back(p.key(), p.value().sizes().vec());
  for (const auto& b : model->named_buffers()) ours_b.emplace_back(b.key(), b.value().sizes().vec());
  EXPECT_EQ(ours_p, params);
  EXPECT_EQ(ours_b, buffers);
}

TEST(Architecture, ResNet50ForwardCostIsTorchvisions409GFlops) {
  auto model = leuko::make_model("resnet50", "paper", 1000);
  double g = model->forward_macs(224, 224) / 1e9;
  EXPECT_NEAR(g, 4.09, 0.01);
  EXPECT_GT(model->forward_macs(448, 448), 3.9 * model->forward_macs(224, 224));
}

TEST(Architecture, VitHybridParameterCountsMatchTimm) {
  EXPECT_EQ(leuko::count_parameters(*leuko::make_model("vit-hybrid", "paper", 1000)), 98659112);
  EXPECT_EQ(leuko::count_parameters(*leuko::make_model("vit-hybrid", "paper-384", 1000)), 98950952);
  EXPECT_EQ(leuko::count_parameters(*leuko::make_model("vit-hybrid", "paper", 1000, 384)), 98950952);
}

TEST(Architecture, VitHybridUsesTimmsNames) {
  auto shapes = shapes_of(*leuko::make_model("vit-hybrid", "paper", 1000));
  const std::map<std::string, std::vector<int64_t>> expected = {
      {"patch_embed.backbone.stem.conv.weight", {64, 3, 7, 7}},
      {"patch_embed.backbone.stem.norm.weight", {64}},
      {"patch_embed.backbone.stages.0.blocks.0.downsample.conv.weight", {256, 64, 1, 1}},
      {"patch_embed.backbone.stages.0.blocks.0.downsample.norm.bias", {256}},
      {"patch_embed.backbone.stages.1.blocks.0.conv2.weight", {128, 128, 3, 3}},
      {"patch_embed.backbone.stages.2.blocks.8.conv3.weight", {1024, 256, 1, 1}},
      {"patch_embed.backbone.stages.2.blocks.8.norm3.weight", {1024}},
      {"patch_embed.proj.weight", {768, 1024, 1, 1}},
      {"patch_embed.proj.bias", {768}},
      {"cls_token", {1, 1, 768}},
      {"pos_embed", {1, 197, 768}},
      {"blocks.11.attn.qkv.weight", {2304, 768}},
      {"blocks.11.attn.qkv.bias", {2304}},
      {"blocks.11.attn.proj.weight", {768, 768}},
      {"blocks.0.mlp.fc1.weight", {3072, 768}},
      {"blocks.0.mlp.fc2.weight", {768, 3072}},
      {"blocks.0.norm1.weight", {768}},
      {"norm.weight", {768}},
      {"head.weight", {1000, 768}},
  };
  for (const auto& [name, shape] : expected) {
    auto it = shapes.find(name);
    ASSERT_NE(it, shapes.end()) << name;
    EXPECT_EQ(it->second, shape) << name;
  }
  // Bias-free standardised convs, one projection per stage, no stage 3, 12 blocks.
  EXPECT_EQ(shapes.count("patch_embed.backbone.stem.conv.bias"), 0u);
  EXPECT_EQ(shapes.count("patch_embed.backbone.stages.0.blocks.1.downsample.conv.weight"), 0u);
  EXPECT_EQ(shapes.count("patch_embed.backbone.stages.3.blocks.0.conv1.weight"), 0u);
  EXPECT_EQ(shapes.count("blocks.12.norm1.weight"), 0u);
  // stem conv + GN, 16 bottlenecks x (3 convs + 3 GN), 3 projections, proj, tokens, 12 blocks x
  // 6 layers, norm, head: nothing else (GroupNorm and LayerNorm carry no buffers).
  EXPECT_EQ(shapes.size(), static_cast<size_t>(3 + 16 * 9 + 3 * 3 + 2 + 2 + 12 * 12 + 2 + 2));
}

TEST(Architecture, VitHybridTokenGridFollowsSamePadding) {
  leuko::VitHybridConfig c;
  EXPECT_EQ(leuko::vit_hybrid_grid(c, 224), 14);
  EXPECT_EQ(leuko::vit_hybrid_grid(c, 384), 24);
  EXPECT_EQ(leuko::vit_hybrid_grid(c, 100), 7);  // 50, 25, 25, 13, 7: every stride rounds up
}

TEST(Architecture, PosEmbedResampleKeepsClassTokenAndIsIdentityOnSameGrid) {
  auto pe = torch::randn({1, 1 + 16, 8});
  EXPECT_TRUE(torch::equal(leuko::resample_pos_embed(pe, 4, 4), pe));
  auto r = leuko::resample_pos_embed(pe, 7, 6);
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{1, 1 + 42, 8}));
  EXPECT_TRUE(torch::equal(r.narrow(1, 0, 1), pe.narrow(1, 0, 1)));
  // A constant field stays constant under (normalised) bicubic resampling.
  auto flat = torch::ones({1, 17, 3});
  EXPECT_TRUE(torch::allclose(leuko::resample_pos_embed(flat, 9, 9), torch::ones({1, 82, 3}), 1e-5, 1e-5));
}

TEST(Architecture, RegistryListsEveryModelAndPresetAndRefusesUnknownNames) {
  auto specs = leuko::list_models(2);
  ASSERT_EQ(specs.size(), 11u);  // simple-cnn 4 (paper, base, small, tiny), resnet50 3, vit-hybrid 4
  for (const auto& s : specs) {
    EXPECT_GT(s.params, 0) << s.name << "/" << s.preset;
    EXPECT_GT(s.gflops, 0) << s.name << "/" << s.preset;
    EXPECT_GT(s.input_size, 0);
  }
  EXPECT_THROW(leuko::make_model("resnet51", "paper", 2), std::runtime_error);
  EXPECT_THROW(leuko::make_model("resnet50", "huge", 2), std::runtime_error);
}

// Every model x preset, two input sizes neither of which is the preset's own (one odd, one not
// square): the output has one row of logits per image, every parameter receives a finite
// gradient. The paper sizes run at small inputs to keep the suite fast.
TEST(Architecture, EveryModelAndPresetTrainsAtTwoInputSizes) {
  torch::manual_seed(0);
  for (const auto& name : leuko::model_names()) {
    for (const auto& preset : leuko::preset_names(name)) {
      bool big = preset.rfind("paper", 0) == 0;
      std::vector<std::pair<int64_t, int64_t>> sizes = big ? std::vector<std::pair<int64_t, int64_t>>{{32, 32}, {45, 38}}
                                                           : std::vector<std::pair<int64_t, int64_t>>{{64, 64}, {77, 50}};
      auto model = leuko::make_model(name, preset, 3);
      model->train();
      for (auto [h, w] : sizes) {
        SCOPED_TRACE(name + "/" + preset + " @" + std::to_string(h) + "x" + std::to_string(w));
        model->zero_grad();
        auto x = torch::randn({2, 3, h, w});
        auto logits = model->forward(x);
        ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{2, 3}));
        auto loss = torch::nn::functional::cross_entropy(logits, torch::tensor({0, 2}));
        loss.backward();
        ASSERT_TRUE(torch::isfinite(loss).item<bool>());
        for (const auto& p : model->named_parameters()) {
          ASSERT_TRUE(p.value().grad().defined()) << p.key() << " got no gradient";
          ASSERT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
        }
      }
    }
  }
}

// CPU bf16 autocast (what `bench --amp bf16` and training use): every model runs forward and
// backward in it, float32 gradients come out, and the logits stay near the float32 ones.
TEST(Architecture, EveryModelTrainsUnderBf16Autocast) {
  torch::manual_seed(0);
  for (const auto& name : leuko::model_names()) {
    SCOPED_TRACE(name);
    auto model = leuko::make_model(name, "tiny", 3);
    auto x = torch::randn({2, 3, 64, 64}).contiguous(at::MemoryFormat::ChannelsLast);
    model->eval();
    torch::Tensor reference, mixed;
    {
      torch::NoGradGuard no_grad;
      reference = model->forward(x);
      leuko::Bf16Autocast autocast(true, /*cuda=*/false);
      mixed = model->forward(x).to(torch::kFloat);
    }
    EXPECT_LT((mixed - reference).abs().max().item<double>(), 0.1 * (1 + reference.abs().max().item<double>()));
    model->train();
    torch::Tensor loss;
    {
      leuko::Bf16Autocast autocast(true, /*cuda=*/false);
      loss = torch::nn::functional::cross_entropy(model->forward(x).to(torch::kFloat), torch::tensor({0, 1}));
    }
    loss.backward();
    for (const auto& p : model->named_parameters()) {
      ASSERT_TRUE(p.value().grad().defined()) << p.key();
      EXPECT_EQ(p.value().grad().scalar_type(), torch::kFloat) << p.key();
      ASSERT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
    }
  }
}

// --drop-path: stochastic depth in the hybrid's transformer blocks only in training, never at
// evaluation, and refused (false) by the CNNs, which have none.
TEST(Architecture, DropPathActsInTrainingOnlyAndOnlyOnTheHybrid) {
  torch::manual_seed(0);
  auto model = leuko::make_model("vit-hybrid", "tiny", 3);
  const auto x = torch::randn({4, 3, 64, 64});
  torch::NoGradGuard no_grad;
  model->train();  // GroupNorm and LayerNorm: no batch statistics, so train == eval without drops
  const auto plain = model->forward(x);
  ASSERT_TRUE(model->set_drop_path_rate(0.5));
  torch::manual_seed(1);
  const auto dropped = model->forward(x);
  torch::manual_seed(2);
  const auto dropped_again = model->forward(x);
  EXPECT_GT((dropped - plain).abs().max().item<double>(), 1e-4);
  EXPECT_GT((dropped - dropped_again).abs().max().item<double>(), 1e-4);  // drawn afresh per forward
  model->eval();
  EXPECT_TRUE(torch::allclose(model->forward(x), plain, 1e-5, 1e-6));
  for (const char* cnn : {"simple-cnn", "resnet50"}) {
    auto other = leuko::make_model(cnn, "tiny", 3);
    EXPECT_TRUE(other->set_drop_path_rate(0)) << cnn;
    EXPECT_FALSE(other->set_drop_path_rate(0.1)) << cnn;
  }
}

// norm_groups 0: the hybrid's backbone with batch norms and plain convolutions. The parameters
// keep timm's names and shapes (the norms hold the same weight and bias; batch norm adds its
// running statistics as buffers); training updates those statistics and evaluation uses them,
// so an image scores the same alone as in a batch; the convolutions are not weight-standardised
// (doubling one changes the output, where the GroupNorm backbone's standardisation cancels it).
TEST(Architecture, VitHybridBatchNormBackboneKeepsTimmsNamesAndScoresWithRunningStatistics) {
  torch::manual_seed(0);
  leuko::VitHybridConfig c;
  c.layers = {1, 1};
  c.channels = {32, 64};
  c.stem_width = 16;
  c.embed_dim = 32;
  c.depth = 1;
  c.heads = 2;
  c.mlp_dim = 64;
  c.image_size = 64;
  c.norm_groups = 8;
  leuko::VitHybrid grouped(c, 3);
  c.norm_groups = 0;
  leuko::VitHybrid batched(c, 3);
  EXPECT_EQ(leuko::describe(c).find("GN"), std::string::npos);
  EXPECT_NE(leuko::describe(c).find(", BN)"), std::string::npos);

  std::map<std::string, std::vector<int64_t>> grouped_parameters, batched_parameters;
  for (const auto& p : grouped.named_parameters()) grouped_parameters[p.key()] = p.value().sizes().vec();
  for (const auto& p : batched.named_parameters()) batched_parameters[p.key()] = p.value().sizes().vec();
  EXPECT_EQ(batched_parameters, grouped_parameters);
  auto state = shapes_of(batched);
  ASSERT_TRUE(state.count("patch_embed.backbone.stem.norm.running_mean"));
  ASSERT_TRUE(state.count("patch_embed.backbone.stages.1.blocks.0.downsample.norm.running_var"));
  EXPECT_FALSE(shapes_of(grouped).count("patch_embed.backbone.stem.norm.running_mean"));

  const auto x = torch::randn({4, 3, 64, 64}) * 2 + 1;
  torch::NoGradGuard no_grad;
  auto running_mean = batched.named_buffers()["patch_embed.backbone.stem.norm.running_mean"];
  const auto before = running_mean.clone();
  batched.train();
  const auto in_training = batched.forward(x);
  EXPECT_GT((running_mean - before).abs().max().item<double>(), 1e-3);  // the statistics moved
  batched.eval();
  const auto scored = batched.forward(x);
  EXPECT_TRUE(torch::allclose(batched.forward(x.narrow(0, 2, 1)), scored.narrow(0, 2, 1), 1e-4, 1e-5));
  EXPECT_GT((scored - in_training).abs().max().item<double>(), 1e-4);

  grouped.eval();
  const auto grouped_scored = grouped.forward(x);
  for (auto* model : {&grouped, &batched})
    model->named_parameters()["patch_embed.backbone.stem.conv.weight"].mul_(2);
  EXPECT_TRUE(torch::allclose(grouped.forward(x), grouped_scored, 1e-4, 1e-5));
  EXPECT_GT((batched.forward(x) - scored).abs().max().item<double>(), 1e-3);
}
