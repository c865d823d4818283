// The preset table is the one source of both what is built and what `leukoscope models` lists:
// every entry builds the parameters describe_model counts, its description carries every number of
// the config it builds, and the CLI refuses a bad --classes in one line. The paper sizes are built
// in test_architecture.cpp (exact torchvision/timm counts); here only small and tiny are built.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "common/error.h"
#include "common/run_cli.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/vit_hybrid.h"

namespace leuko {
namespace {

bool is_paper(const ModelPreset& entry) { return entry.preset.rfind("paper", 0) == 0; }

// Every number written in a text: "3-4-6-3, width 64" -> {3, 4, 6, 64}.
std::multiset<std::string> numbers_in(const std::string& text) {
  std::multiset<std::string> out;
  static const std::regex number(R"(\d+(\.\d+)?)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it)
    out.insert(it->str());
  return out;
}

// The hyper-parameters a description must show, as the numbers it writes them with.
std::vector<std::string> numbers_of(const SimpleCnnConfig& c) {
  std::vector<std::string> out{std::to_string(c.channels.size())};
  for (auto ch : c.channels) out.push_back(std::to_string(ch));
  std::ostringstream dropout;
  dropout << c.dropout;
  out.push_back(dropout.str());
  return out;
}
std::vector<std::string> numbers_of(const ResNetConfig& c) {
  std::vector<std::string> out{std::to_string(c.width)};
  for (auto n : c.layers) out.push_back(std::to_string(n));
  return out;
}
std::vector<std::string> numbers_of(const VitHybridConfig& c) {
  std::vector<std::string> out;
  for (auto v : {c.stem_width, c.embed_dim, c.depth, c.heads, c.mlp_dim}) out.push_back(std::to_string(v));
  if (c.norm_groups > 0) out.push_back(std::to_string(c.norm_groups));  // 0 reads "BN"
  for (const auto* list : {&c.layers, &c.channels})
    for (auto v : *list) out.push_back(std::to_string(v));
  return out;
}

}  // namespace

TEST(Presets, EveryModelHasItsPresetsInTableOrder) {
  EXPECT_EQ(model_names(), (std::vector<std::string>{"simple-cnn", "resnet50", "vit-hybrid"}));
  EXPECT_EQ(preset_names("simple-cnn"), (std::vector<std::string>{"paper", "base", "small", "tiny"}));
  EXPECT_EQ(preset_names("resnet50"), (std::vector<std::string>{"paper", "small", "tiny"}));
  EXPECT_EQ(preset_names("vit-hybrid"), (std::vector<std::string>{"paper", "paper-384", "small", "tiny"}));
  size_t listed = 0;
  for (const auto& name : model_names()) {
    auto presets = preset_names(name);
    listed += presets.size();
    // One architecture per model: every preset of a name holds the same config type.
    for (const auto& preset : presets)
      EXPECT_EQ(find_preset(name, preset).config.index(), find_preset(name, presets[0]).config.index())
          << name << "/" << preset;
  }
  EXPECT_EQ(listed, model_presets().size());
}

// A run that names no preset: the simple CNN trains the paper's four blocks at 128 px (the plain
// recipe's network, which learnt more than the 3-block `small` on both dev sets), the others `small`.
TEST(Presets, DefaultPresetIsThePaperCnnAt128PxAndSmallForTheOthers) {
  EXPECT_EQ(default_preset("simple-cnn"), "base");
  EXPECT_EQ(default_preset("resnet50"), "small");
  EXPECT_EQ(default_preset("vit-hybrid"), "small");
  const auto& base = find_preset("simple-cnn", "base");
  EXPECT_EQ(base.input_size, 128);
  EXPECT_EQ(std::get<SimpleCnnConfig>(base.config).channels,
            std::get<SimpleCnnConfig>(find_preset("simple-cnn", "paper").config).channels);
  EXPECT_GT(describe_model("simple-cnn", "base", 2).params, 4 * describe_model("simple-cnn", "small", 2).params);
}

TEST(Presets, DescriptionCarriesEveryNumberOfTheConfig) {
  for (const auto& entry : model_presets()) {
    SCOPED_TRACE(entry.model + "/" + entry.preset);
    std::string arch = std::visit([](const auto& c) { return describe(c); }, entry.config);
    EXPECT_EQ(entry.description().rfind(arch, 0), 0u) << entry.description();
    auto shown = numbers_in(arch);
    for (const auto& n : std::visit([](const auto& c) { return numbers_of(c); }, entry.config))
      EXPECT_TRUE(shown.count(n)) << n << " missing from '" << arch << "'";
  }
  EXPECT_EQ(describe(SimpleCnnConfig{{32, 64, 128, 256}, 0.5}), "4 conv blocks 32-64-128-256, dropout 0.5");
  EXPECT_EQ(describe(ResNetConfig{{3, 4, 6, 3}, 64}), "bottlenecks 3-4-6-3, width 64");
  EXPECT_EQ(find_preset("resnet50", "paper").description(),
            "bottlenecks 3-4-6-3, width 64 (torchvision ResNet-50 v1.5)");
}

TEST(Presets, EverySmallAndTinyEntryBuildsWhatDescribeModelCounts) {
  torch::NoGradGuard no_grad;
  for (const auto& entry : model_presets()) {
    if (is_paper(entry)) continue;
    SCOPED_TRACE(entry.model + "/" + entry.preset);
    auto spec = describe_model(entry.model, entry.preset, 3);
    auto model = make_model(entry.model, entry.preset, 3);
    EXPECT_EQ(count_parameters(*model), spec.params);
    EXPECT_EQ(model->num_classes(), 3);
    EXPECT_EQ(spec.input_size, entry.input_size);
    EXPECT_EQ(spec.description, entry.description());
    model->eval();  // one image: BatchNorm needs running statistics, not batch ones
    torch::NoGradGuard no_grad;
    EXPECT_EQ(model->forward(torch::zeros({1, 3, entry.input_size, entry.input_size})).sizes(),
              (std::vector<int64_t>{1, 3}));
  }
}

TEST(Presets, HybridPositionGridFollowsTheRequestedOrDefaultSize) {
  const auto& tiny = find_preset("vit-hybrid", "tiny");
  EXPECT_EQ(std::get<VitHybridConfig>(tiny.config).image_size, tiny.input_size);
  EXPECT_EQ(std::get<VitHybridConfig>(find_preset("vit-hybrid", "paper-384").config).image_size, 384);
  auto at_default = std::dynamic_pointer_cast<VitHybrid>(make_model(tiny, 2));
  auto at_96 = std::dynamic_pointer_cast<VitHybrid>(make_model(tiny, 2, 96));
  ASSERT_TRUE(at_default && at_96);
  EXPECT_EQ(at_default->config().image_size, tiny.input_size);
  EXPECT_EQ(at_96->config().image_size, 96);
}

TEST(Presets, UnknownNamesAndBadClassCountsAreUserErrorsNamingTheValidOnes) {
  auto message = [](auto&& call) {
    try {
      call();
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no UserError");
  };
  EXPECT_EQ(message([] { find_preset("resnet51", "paper"); }),
            "unknown model 'resnet51' (known: simple-cnn, resnet50, vit-hybrid)");
  EXPECT_EQ(message([] { make_model("vit-hybrid", "huge", 2); }),
            "unknown preset 'huge' for model vit-hybrid (known: paper, paper-384, small, tiny)");
  EXPECT_NE(message([] { make_model("simple-cnn", "tiny", 0); }).find("must be 1 to"), std::string::npos);
  EXPECT_NE(message([] { make_model("simple-cnn", "tiny", kMaxClasses + 1); }).find("must be 1 to"), std::string::npos);
}

// Parsing fails before any model is built, so these are quick. The binary is built beside this
// test by the full build; a build of test_models alone may lack it.
TEST(Presets, ModelsVerbRefusesABadClassCountInOneLine) {
  if (!std::filesystem::exists(LEUKO_BINARY)) GTEST_SKIP() << "no " << LEUKO_BINARY << " (build leukoscope)";
  const std::pair<std::string, std::string> cases[] = {
      {"0", "error: --classes: must be at least 1, got 0\n"},
      {"-3", "error: --classes: must be at least 1, got -3\n"},
      {"1e300", "error: --classes: must be a whole number from 1 to 100000, got '1e300'\n"},
      {"99999999999999999999", "error: --classes: must be at most 100000, got 99999999999999999999\n"},
  };
  for (const auto& [arg, expected] : cases) {
    auto r = test::run_cli("models --classes " + arg);
    EXPECT_NE(r.code, 0) << arg;
    EXPECT_EQ(r.err, expected) << arg;
    EXPECT_EQ(r.out, "") << arg;
  }
}

}  // namespace leuko
