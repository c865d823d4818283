// Checkpoints written by the real libraries load into leukoscope by name, every tensor of them,
// and give the libraries' logits: timm's own vit_base_r50_s16_224 and torchvision's resnet50,
// saved with safetensors.torch.save_file (tests/models/timm_reference.py). Then the other way:
// what leukoscope saves, timm/torchvision load with strict=True through safetensors.torch.
// timm and safetensors come from PyPI into a folder of their own (scripts/install-python-refs.sh);
// without them these tests skip, naming that command.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "common/atomic_file.h"
#include "common/remove_tree.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/weights.h"
#include "models/python_script.h"

namespace fs = std::filesystem;

namespace {

const char* kPython = "/usr/bin/python3";

using leuko::test::shell_quote;

// Where scripts/install-python-refs.sh installs timm and safetensors (the same rule as there).
std::string pyrefs_dir() {
  if (const char* d = std::getenv("LEUKO_PYREFS"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::string(d) + "/leukoscope/pyrefs";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.cache/leukoscope/pyrefs";
}

// The folder goes first on PYTHONPATH; a timm installed elsewhere (system, user PYTHONPATH) also does.
std::string python_command() {
  return "PYTHONPATH=" + shell_quote(pyrefs_dir()) + "${PYTHONPATH:+:$PYTHONPATH} " + kPython;
}

fs::path scratch_dir() { return leuko::test::python_scratch_dir(); }

int run_script(const std::vector<std::string>& args, std::string* log) {
  return leuko::test::run_python_script(python_command(), "tests/models/timm_reference.py", args, log);
}

bool python_has_timm() {
  static const bool ok = std::system((python_command() +
                                      " -c 'import torch, torchvision, timm, safetensors.torch' > /dev/null 2>&1").c_str()) == 0;
  return ok;
}

// Generates the file for `mode` ("vit" or "resnet50"); empty string + skip reason otherwise.
std::string library_file(const std::string& mode, std::string* skip) {
  if (!python_has_timm()) {
    *skip = std::string(kPython) + " cannot import torch, torchvision, timm and safetensors: `bash scripts/install-python-refs.sh` "
            "installs timm and safetensors from PyPI into " + pyrefs_dir() + " (torch/torchvision: scripts/install-deps.sh)";
    return "";
  }
  auto out = (scratch_dir() / (mode + ".safetensors")).string();
  std::string log;
  if (run_script({mode, out}, &log) != 0) throw std::runtime_error("timm_reference.py " + mode + " failed:\n" + log);
  std::cout << "[ " << mode << " ] " << log;
  return out;
}

torch::Tensor eval_logits(leuko::ClassifierModule& model, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  model.eval();
  return model.forward(x);
}

// The whole check for one model: `model` has the file's class count; `tensors` is the library's
// state_dict as leukoscope reads it.
void expect_library_checkpoint_loads(const std::string& kind, const std::string& file, leuko::ClassifierModule& model,
                                     size_t expected_tensors) {
  auto tensors = leuko::read_safetensors(file);
  const torch::Tensor input = tensors.at("test.input"), expected = tensors.at("test.logits");
  tensors.erase("test.input");
  tensors.erase("test.logits");
  ASSERT_EQ(input.sizes(), (std::vector<int64_t>{2, 3, 224, 224}));
  ASSERT_EQ(expected.sizes(), (std::vector<int64_t>{2, model.num_classes()}));
  EXPECT_EQ(tensors.size(), expected_tensors) << "the library's state_dict changed size";

  // Strict, and no head skipped: every name of the library's state_dict is one of leukoscope's
  // and the other way round, with the same shape.
  auto report = leuko::load_state(model, tensors, model.head_prefixes(), file, {/*skip_mismatched_head=*/false, /*strict=*/true});
  EXPECT_TRUE(report.missing.empty() && report.unexpected.empty() && report.skipped_head.empty() && report.resampled.empty())
      << report.summary();
  EXPECT_EQ(report.loaded.size(), tensors.size()) << report.summary();
  auto entries = leuko::state_entries(model);
  EXPECT_EQ(entries.size(), tensors.size());
  for (const auto& [name, value] : entries) {
    auto it = tensors.find(name);
    if (it == tensors.end()) {
      ADD_FAILURE() << "leukoscope's '" << name << "' is not in the library's state_dict";
      continue;
    }
    EXPECT_EQ(value.scalar_type(), it->second.scalar_type()) << name;
    EXPECT_TRUE(torch::equal(value, it->second)) << name << " was not copied as is";
  }

  auto logits = eval_logits(model, input);
  double diff = (logits - expected).abs().max().item<double>();
  std::cout << "[ " << kind << " ] max |logits - library| = " << diff << " (logit std " << expected.std().item<double>() << ")\n";
  EXPECT_LT(diff, 1e-4);

  // Back: leukoscope's own file, read by safetensors.torch into the library's model (strict=True).
  auto back = (scratch_dir() / (kind + "_from_leukoscope.safetensors")).string();
  entries.emplace_back("test.input", input);
  entries.emplace_back("test.logits", logits);
  leuko::write_safetensors(back, entries, {{"format", "pt"}});
  std::string log;
  EXPECT_EQ(run_script({"check", kind, back}, &log), 0) << log;
  std::cout << "[ " << kind << " ] the library on leukoscope's weights: " << log;
  fs::remove(back);
}

}  // namespace

TEST(LibraryWeights, TimmVitBaseR50S16LoadsByNameAndGivesTimmsLogits) {
  std::string skip;
  auto file = library_file("vit", &skip);
  if (file.empty()) GTEST_SKIP() << skip;
  {
    auto model = leuko::make_model("vit-hybrid", "paper", 7, 224);
    // 308 = ResNetV2 stem + 16 bottlenecks (conv/GroupNorm), proj, cls_token, pos_embed, 12 blocks, norm, head.
    expect_library_checkpoint_loads("vit", file, *model, 308);
  }
  // What --pretrained does with a checkpoint of another class count (an ImageNet head into a
  // 2-class model): the head keeps its initialisation, everything else loads.
  auto two = leuko::make_model("vit-hybrid", "paper", 2, 224);
  auto report = leuko::load_state(*two, file);
  EXPECT_EQ(report.loaded.size(), 306u) << report.summary();
  ASSERT_EQ(report.skipped_head.size(), 2u) << report.summary();
  for (const auto& s : report.skipped_head) EXPECT_EQ(s.rfind("head.", 0), 0u) << s;
  EXPECT_EQ(std::set<std::string>(report.unexpected.begin(), report.unexpected.end()),
            (std::set<std::string>{"test.input", "test.logits"}));
  EXPECT_TRUE(report.missing.empty()) << report.summary();
}

TEST(LibraryWeights, TorchvisionResnet50ThroughSafetensorsLoadsByNameAndGivesItsLogits) {
  std::string skip;
  auto file = library_file("resnet50", &skip);
  if (file.empty()) GTEST_SKIP() << skip;
  auto model = leuko::make_model("resnet50", "paper", 7);
  // 161 parameters + 159 buffers (running mean/var, num_batches_tracked as int64).
  expect_library_checkpoint_loads("resnet50", file, *model, 320);
}
