// Numerical equality with the Python references (tests/models/reference_models.py), and weights
// that travel both ways: torchvision -> leukoscope -> torchvision, save -> load, refusals.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/remove_tree.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/safetensors.h"
#include "models/vit_hybrid.h"
#include "models/weights.h"
#include "models/python_script.h"

namespace fs = std::filesystem;

namespace {

const char* kPython = "/usr/bin/python3";

fs::path scratch_dir() { return leuko::test::python_scratch_dir(); }

int run_reference(const std::vector<std::string>& args, std::string* log) {
  return leuko::test::run_python_script(kPython, "tests/models/reference_models.py", args, log);
}

bool python_has_torch() {
  static const bool ok = std::system((std::string(kPython) + " -c 'import torch, torchvision, PIL' > /dev/null 2>&1").c_str()) == 0;
  return ok;
}

// One real blood-smear image per class: the full set in ../shared/data, else the bundled sample.
std::vector<std::string> real_images() {
  std::vector<std::string> out;
  for (const auto& root : {std::string(LEUKO_SHARED_DATA) + "/aria-all/Original", std::string(LEUKO_TEST_DATA) + "/aria-mini"}) {
    for (const char* cls : {"Benign", "Early", "Pre", "Pro"}) {
      std::vector<std::string> files;
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(fs::path(root) / cls, ec))
        if (e.path().extension() == ".jpg") files.push_back(e.path().string());
      if (!files.empty()) out.push_back(*std::min_element(files.begin(), files.end()));
    }
    if (out.size() == 4) return out;
    out.clear();
  }
  return out;
}

// Generates (once per run) the reference file for `mode`; empty string + skip reason otherwise.
std::string reference_file(const std::string& mode, std::string* skip) {
  static std::map<std::string, std::string> made;
  if (made.count(mode)) return made[mode];
  if (!python_has_torch()) {
    *skip = std::string(kPython) + " lacks torch/torchvision/PIL (apt install python3-torch python3-torchvision python3-pil)";
    return "";
  }
  auto images = real_images();
  if (images.empty()) {
    *skip = "no real images in " + std::string(LEUKO_SHARED_DATA) + "/aria-all/Original or " + LEUKO_TEST_DATA + "/aria-mini";
    return "";
  }
  auto out = (scratch_dir() / (mode + ".safetensors")).string();
  std::vector<std::string> args = {mode, out};
  args.insert(args.end(), images.begin(), images.end());
  std::string log;
  int rc = run_reference(args, &log);
  if (rc != 0) throw std::runtime_error("reference_models.py " + mode + " failed:\n" + log);
  return made[mode] = out;
}

struct Reference {
  std::map<std::string, torch::Tensor> weights;
  torch::Tensor input, logits;
};

Reference split_reference(const std::string& path) {
  Reference r;
  r.weights = leuko::read_safetensors(path);
  r.input = r.weights.at("test.input");
  r.logits = r.weights.at("test.logits");
  r.weights.erase("test.input");
  r.weights.erase("test.logits");
  return r;
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

// The reduced hybrid of reference_models.py HYBRID_TEST.
leuko::VitHybridConfig hybrid_test_config() {
  leuko::VitHybridConfig c;
  c.layers = {2, 1, 1};
  c.channels = {128, 256, 512};
  c.stem_width = 32;
  c.norm_groups = 32;
  c.embed_dim = 96;
  c.depth = 2;
  c.heads = 4;
  c.mlp_dim = 192;
  c.image_size = 64;
  return c;
}

torch::Tensor eval_logits(leuko::ClassifierModule& model, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  model.eval();
  return model.forward(x);
}

}  // namespace

TEST(Reference, ResNet50ReproducesTorchvisionLogitsOnRealImages) {
  std::string skip;
  auto file = reference_file("resnet50", &skip);
  if (file.empty()) GTEST_SKIP() << skip;
  auto ref = split_reference(file);
  auto model = leuko::make_model("resnet50", "paper", ref.logits.size(1));
  auto report = leuko::load_state(*model, ref.weights, model->head_prefixes(), file, {true, /*strict=*/true});
  EXPECT_EQ(report.loaded.size(), 320u) << report.summary();  // 161 parameters + 159 buffers
  auto logits = eval_logits(*model, ref.input);
  double diff = max_abs_diff(logits, ref.logits);
  std::cout << "[ resnet50 ] max |logits - torchvision| = " << diff << " (logit std " << ref.logits.std().item<double>() << ")\n";
  EXPECT_LT(diff, 1e-4);

  // Back to Python: what leukoscope saves loads into torchvision with strict=True and gives the
  // logits computed here.
  auto back = (scratch_dir() / "resnet50_from_leukoscope.safetensors").string();
  auto entries = leuko::state_entries(*model);
  entries.emplace_back("test.input", ref.input);
  entries.emplace_back("test.logits", logits);
  leuko::write_safetensors(back, entries);
  std::string log;
  EXPECT_EQ(run_reference({"check-resnet50", back}, &log), 0) << log;
  std::cout << "[ resnet50 ] torchvision on leukoscope's weights: " << log;
}

TEST(Reference, VitHybridReproducesTheTimmReferenceOnRealImages) {
  std::string skip;
  auto file = reference_file("hybrid", &skip);
  if (file.empty()) GTEST_SKIP() << skip;
  auto ref = split_reference(file);
  ASSERT_EQ(ref.input.sizes(), (std::vector<int64_t>{4, 3, 100, 90})) << "input size the reference documents";
  leuko::VitHybrid model(hybrid_test_config(), ref.logits.size(1));
  auto report = leuko::load_state(model, ref.weights, model.head_prefixes(), file, {true, /*strict=*/true});
  EXPECT_TRUE(report.resampled.empty()) << "same 4x4 training grid: the file's pos_embed loads as is";
  auto logits = eval_logits(model, ref.input);
  double diff = max_abs_diff(logits, ref.logits);
  std::cout << "[ vit-hybrid ] max |logits - reference| = " << diff << " (logit std " << ref.logits.std().item<double>() << ")\n";
  EXPECT_LT(diff, 1e-4);
}

// The `small` preset's backbone: batch norms (eval mode: the running statistics the reference
// accumulated on the real images) and convolutions without weight standardisation.
TEST(Reference, VitHybridWithBatchNormsReproducesTheReferenceOnRealImages) {
  std::string skip;
  auto file = reference_file("hybrid-bn", &skip);
  if (file.empty()) GTEST_SKIP() << skip;
  auto ref = split_reference(file);
  ASSERT_TRUE(ref.weights.count("patch_embed.backbone.stem.norm.running_var")) << "a batch-norm reference";
  auto config = hybrid_test_config();
  config.norm_groups = 0;
  leuko::VitHybrid model(config, ref.logits.size(1));
  auto report = leuko::load_state(model, ref.weights, model.head_prefixes(), file, {true, /*strict=*/true});
  auto logits = eval_logits(model, ref.input);
  double diff = max_abs_diff(logits, ref.logits);
  std::cout << "[ vit-hybrid BN ] max |logits - reference| = " << diff << " (logit std " << ref.logits.std().item<double>() << ")\n";
  EXPECT_LT(diff, 1e-4);
}

TEST(Weights, SaveThenLoadGivesIdenticalOutputsForEveryModel) {
  for (const auto& name : leuko::model_names()) {
    SCOPED_TRACE(name);
    torch::manual_seed(1);
    auto a = leuko::make_model(name, "tiny", 3);
    {  // non-default running statistics, so buffers must travel too
      torch::NoGradGuard g;
      a->train();
      a->forward(torch::randn({4, 3, 48, 48}) * 3 + 1);
    }
    auto path = (scratch_dir() / (name + "_tiny.safetensors")).string();
    leuko::save_state(*a, path);
    torch::manual_seed(2);
    auto b = leuko::make_model(name, "tiny", 3);
    auto x = torch::randn({2, 3, 40, 56});
    ASSERT_FALSE(torch::equal(eval_logits(*a, x), eval_logits(*b, x)));
    auto report = leuko::load_state(*b, path, {true, true});
    EXPECT_TRUE(report.missing.empty() && report.unexpected.empty() && report.skipped_head.empty()) << report.summary();
    EXPECT_TRUE(torch::equal(eval_logits(*a, x), eval_logits(*b, x)));
    for (const auto& e : fs::directory_iterator(scratch_dir()))
      EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << "temporary left behind: " << e.path();
  }
}

TEST(Weights, TruncatedOrCorruptedFilesAreRefusedAndLeaveTheModelUntouched) {
  torch::manual_seed(3);
  auto model = leuko::make_model("resnet50", "tiny", 2);
  auto path = (scratch_dir() / "good.safetensors").string();
  leuko::save_state(*model, path);
  std::string bytes = leuko::read_file_to_string(path);
  auto x = torch::randn({1, 3, 32, 32});
  auto before = eval_logits(*model, x);

  auto truncated = (scratch_dir() / "truncated.safetensors").string();
  leuko::write_file_atomically(truncated, bytes.substr(0, bytes.size() - 100));
  std::string corrupt_bytes = bytes;
  corrupt_bytes[20] = '}';  // inside the JSON header
  auto corrupt = (scratch_dir() / "corrupt.safetensors").string();
  leuko::write_file_atomically(corrupt, corrupt_bytes);

  torch::manual_seed(4);
  auto other = leuko::make_model("resnet50", "tiny", 2);
  auto other_before = eval_logits(*other, x);
  for (const auto& bad : {truncated, corrupt, (scratch_dir() / "absent.safetensors").string()}) {
    try {
      leuko::load_state(*other, bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const leuko::UserError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(torch::equal(eval_logits(*other, x), other_before));
  EXPECT_TRUE(torch::equal(eval_logits(*model, x), before));
}

TEST(Weights, AHeadForOtherClassesIsSkippedAndReportedOtherMismatchesRefused) {
  auto three = leuko::make_model("resnet50", "tiny", 3);
  auto path = (scratch_dir() / "three_classes.safetensors").string();
  leuko::save_state(*three, path);

  auto five = leuko::make_model("resnet50", "tiny", 5);
  auto report = leuko::load_state(*five, path);
  ASSERT_EQ(report.skipped_head.size(), 2u) << report.summary();
  EXPECT_EQ(report.skipped_head[0].rfind("fc.", 0), 0u);
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(torch::equal(five->named_parameters()["conv1.weight"], three->named_parameters()["conv1.weight"]));

  EXPECT_THROW(leuko::load_state(*five, path, {/*skip_mismatched_head=*/false, false}), leuko::UserError);

  auto wider = leuko::make_model("resnet50", "small", 3);
  try {
    leuko::load_state(*wider, path);
    ADD_FAILURE() << "a width-8 resnet loaded into a width-32 one";
  } catch (const leuko::UserError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("'conv1.weight'"), std::string::npos) << what;
    EXPECT_NE(what.find("[8, 3, 7, 7]"), std::string::npos) << what;
    EXPECT_NE(what.find("[32, 3, 7, 7]"), std::string::npos) << what;
  }

  auto cnn = leuko::make_model("simple-cnn", "tiny", 3);
  auto loose = leuko::load_state(*cnn, leuko::read_safetensors(path), cnn->head_prefixes(), path);
  EXPECT_FALSE(loose.missing.empty());
  EXPECT_FALSE(loose.unexpected.empty());
  EXPECT_THROW(leuko::load_state(*cnn, path, {true, /*strict=*/true}), leuko::UserError);
}

TEST(Weights, PosEmbedIsResampledWhenTheCheckpointGridDiffers) {
  auto small_grid = leuko::make_model("vit-hybrid", "tiny", 2, 64);   // 4x4 tokens
  auto path = (scratch_dir() / "hybrid64.safetensors").string();
  leuko::save_state(*small_grid, path);
  auto big_grid = leuko::make_model("vit-hybrid", "tiny", 2, 96);     // 6x6 tokens
  auto report = leuko::load_state(*big_grid, path, {true, true});
  ASSERT_EQ(report.resampled.size(), 1u) << report.summary();
  auto expected = leuko::resample_pos_embed(small_grid->named_parameters()["pos_embed"], 6, 6);
  EXPECT_TRUE(torch::allclose(big_grid->named_parameters()["pos_embed"], expected));
  // With the grids reconciled, both give the same answer at the larger size.
  auto x = torch::randn({1, 3, 96, 96});
  EXPECT_LT(max_abs_diff(eval_logits(*small_grid, x), eval_logits(*big_grid, x)), 1e-5);
}

TEST(Weights, HalfAndBFloat16FilesAreReadAsTheirValues) {
  const uint16_t f16[3] = {0x3c00, 0xc000, 0x3800};   // 1, -2, 0.5
  const uint16_t bf16[2] = {0x3f80, 0xc040};          // 1, -3
  auto path = (scratch_dir() / "halves.safetensors").string();
  leuko::write_file_atomically(path, leuko::safetensors::serialize(
      {{"h", leuko::safetensors::DType::F16, {3}, f16, sizeof f16},
       {"b", leuko::safetensors::DType::BF16, {2, 1}, bf16, sizeof bf16}}));
  auto t = leuko::read_safetensors(path);
  EXPECT_TRUE(torch::equal(t.at("h").to(torch::kFloat), torch::tensor({1.0f, -2.0f, 0.5f})));
  EXPECT_TRUE(torch::equal(t.at("b").to(torch::kFloat), torch::tensor({1.0f, -3.0f}).reshape({2, 1})));
}
