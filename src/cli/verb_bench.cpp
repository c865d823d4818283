// `leukoscope bench`: throughput (img/s) of inference forwards and training steps on synthetic
// batches, median over timed steps after warm-up, for one or every model of a preset.
#include "cli/verbs.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/choice_option.h"
#include "cli/whole_number.h"
#include "common/error.h"
#include "models/placement.h"
#include "run/train_config.h"
#include "models/autocast.h"
#include "models/model.h"
#include "models/registry.h"

namespace leuko::cli {
namespace {

struct BenchOptions {
  std::string model;  // empty: every model
  std::string preset = "small";
  int64_t batch = 16;
  int64_t image_size = 0;
  bool channels_last = false;
  Amp amp = Amp::Off;
  Device device = Device::Cpu;
  Optimizer optimizer = Optimizer::Sgd;
  int steps = 10;
  int warmup = 3;
  int threads = 0;
  bool json = false;
  bool deterministic = false;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Result {
  std::string model;
  int64_t size;
  double forward_ips, train_ips;
};

Result bench_model(const std::string& name, const BenchOptions& o) {
  const int64_t classes = 2;
  auto spec = describe_model(name, o.preset, classes, o.image_size);
  auto model = make_model(name, o.preset, classes, o.image_size);
  const torch::Device device = select_device(o.device, o.deterministic);
  const bool cuda = device.is_cuda();
  model->to(device);
  const auto format = o.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  if (o.channels_last) use_channels_last(*model);
  auto x = torch::randn({o.batch, 3, spec.input_size, spec.input_size}).contiguous(format).to(device);
  auto y = torch::randint(0, classes, {o.batch}, torch::kLong).to(device);
  const bool amp = resolve_amp(o.amp, device) == Amp::Bf16;
  using clock = std::chrono::steady_clock;
  // GPU work is asynchronous: a step ends when the device has finished it.
  auto seconds = [cuda](clock::time_point a) {
    if (cuda) torch::cuda::synchronize();
    return std::chrono::duration<double>(clock::now() - a).count();
  };

  std::vector<double> fwd;
  model->eval();
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < o.warmup + o.steps; ++i) {
      auto t0 = clock::now();
      {
        Bf16Autocast autocast(amp, cuda);
        auto logits = model->forward(x);
      }
      double s = seconds(t0);
      if (i >= o.warmup) fwd.push_back(s);
    }
  }

  std::unique_ptr<torch::optim::Optimizer> opt;
  if (o.optimizer == Optimizer::AdamW)
    opt = std::make_unique<torch::optim::AdamW>(model->parameters(), torch::optim::AdamWOptions(1e-4));
  else
    opt = std::make_unique<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(1e-3).momentum(0.9));
  std::vector<double> train;
  model->train();
  for (int i = 0; i < o.warmup + o.steps; ++i) {
    auto t0 = clock::now();
    opt->zero_grad();
    torch::Tensor loss;
    {
      Bf16Autocast autocast(amp, cuda);
      loss = torch::nn::functional::cross_entropy(model->forward(x).to(torch::kFloat), y);
    }
    loss.backward();
    opt->step();
    double s = seconds(t0);
    if (i >= o.warmup) train.push_back(s);
  }
  return {name, spec.input_size, o.batch / median(fwd), o.batch / median(train)};
}

}  // namespace

void add_bench_verb(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand("bench", "throughput (img/s) of forward and train steps, after warm-up");
  cmd->add_option("--model", o->model, "simple-cnn | resnet50 | vit-hybrid (default: all three)");
  cmd->add_option("--preset", o->preset, "paper | paper-384 | small | tiny (default small)");
  cmd->add_option("--batch", o->batch, "images per step (default 16)")->check(whole_number(1, 65536));
  cmd->add_option("--image-size", o->image_size, "square input side (default: the preset's)")->check(whole_number(8, 4096));
  cmd->add_flag("--channels-last", o->channels_last, "NHWC memory format for weights and input");
  add_choice(cmd, "--amp", o->amp, "bfloat16 autocast on the device");
  add_choice(cmd, "--device", o->device, "where to run");
  cmd->add_flag("--deterministic", o->deterministic, "CUDA: deterministic cuDNN, no autotuning (default: cuDNN benchmark mode)");
  add_choice(cmd, "--optimizer", o->optimizer, "optimiser of the train steps");
  cmd->add_option("--steps", o->steps, "timed steps; the median is reported (default 10)")->check(whole_number(1, 1000000));
  cmd->add_option("--warmup", o->warmup, "untimed steps first (default 3)")->check(whole_number(0, 1000000));
  cmd->add_option("--threads", o->threads, "intra-op threads (default: all cores)")->check(thread_count(1));
  cmd->add_flag("--json", o->json, "print a JSON array");
  cmd->callback([o] {
    if (o->threads > 0) at::set_num_threads(o->threads);
    select_device(o->device, o->deterministic);  // refuses a missing CUDA before any output
    // Every model that has the preset, or the one asked for: unknown names fail before any output.
    std::vector<std::string> names;
    for (const auto& name : model_names()) {
      auto presets = preset_names(name);
      if ((o->model.empty() || o->model == name) && std::count(presets.begin(), presets.end(), o->preset)) names.push_back(name);
    }
    if (names.empty()) make_model(o->model.empty() ? "resnet50" : o->model, o->preset, 2);
    std::vector<Result> results;
    if (!o->json)
      std::printf("%-11s %-10s %5s %5s %6s %5s %6s %12s %12s\n", "model", "preset", "size", "batch", "layout", "amp",
                  "device", "fwd img/s", "train img/s");
    for (const auto& name : names) {
      auto r = bench_model(name, *o);
      results.push_back(r);
      if (!o->json) {
        std::printf("%-11s %-10s %5lld %5lld %6s %5s %6s %12.1f %12.1f\n", name.c_str(), o->preset.c_str(),
                    static_cast<long long>(r.size), static_cast<long long>(o->batch),
                    o->channels_last ? "nhwc" : "nchw", choice_name(o->amp), choice_name(o->device), r.forward_ips,
                    r.train_ips);
        std::fflush(stdout);
      }
    }
    if (o->json) {
      auto arr = nlohmann::json::array();
      for (const auto& r : results)
        arr.push_back({{"model", r.model}, {"preset", o->preset}, {"image_size", r.size}, {"batch", o->batch},
                       {"channels_last", o->channels_last}, {"amp", choice_name(o->amp)}, {"device", choice_name(o->device)},
                       {"optimizer", choice_name(o->optimizer)},
                       {"threads", at::get_num_threads()}, {"forward_img_per_s", r.forward_ips},
                       {"train_img_per_s", r.train_ips}});
      std::cout << arr.dump(2) << "\n";
    }
  });
}

}  // namespace leuko::cli
