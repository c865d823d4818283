#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <ATen/Context.h>
#include <nlohmann/json.hpp>
#include <opencv2/core/version.hpp>
#include <torch/torch.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/parallel.h"
#include "common/paths.h"
#include "common/progress_bar.h"
#include "data/distort.h"
#include "data/preprocess_cache.h"
#include "eval/metrics.h"
#include "eval/torch/inference.h"
#include "models/autocast.h"
#include "models/model.h"
#include "models/registry.h"
#include "models/weights.h"
#include "train/checkpoint.h"
#include "train/run_data.h"

namespace leuko {
namespace fs = std::filesystem;

namespace {

// Linear warm-up to the base rate, then cosine decay to zero at the last step.
double learning_rate(double base, size_t step, size_t warmup_steps, size_t total_steps) {
  if (warmup_steps > 0 && step < warmup_steps) return base * static_cast<double>(step + 1) / warmup_steps;
  double progress = total_steps > warmup_steps
                        ? static_cast<double>(step - warmup_steps) / static_cast<double>(total_steps - warmup_steps)
                        : 1.0;
  return 0.5 * base * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainConfig& c, torch::nn::Module& model) {
  // Norm scales and biases are not decayed (the usual AdamW recipe of timm and torchvision).
  std::vector<torch::Tensor> decay, no_decay;
  for (auto& p : model.parameters())
    if (p.requires_grad()) (p.dim() <= 1 ? no_decay : decay).push_back(p);
  if (c.optimizer == "adamw") {
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(c.lr).weight_decay(c.weight_decay)));
    groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(c.lr).weight_decay(0)));
    return std::make_unique<torch::optim::AdamW>(std::move(groups), torch::optim::AdamWOptions(c.lr));
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::SGDOptions>(
                                 torch::optim::SGDOptions(c.lr).momentum(0.9).nesterov(true).weight_decay(c.weight_decay)));
  groups.emplace_back(no_decay, std::make_unique<torch::optim::SGDOptions>(
                                    torch::optim::SGDOptions(c.lr).momentum(0.9).nesterov(true).weight_decay(0)));
  return std::make_unique<torch::optim::SGD>(std::move(groups), torch::optim::SGDOptions(c.lr));
}

std::vector<std::string> read_log_lines(const std::string& path, int before_epoch) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("epoch", 1 << 30) < before_epoch) lines.push_back(line);
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TrainResult train_model(TrainConfig c, bool resume, bool show_progress) {
  auto t_start = std::chrono::steady_clock::now();
  if (c.out.empty()) throw UserError("--out RUN is required");
  const fs::path run(c.out);
  const std::string config_path = (run / "config.json").string(), ckpt_path = (run / "last.ckpt").string();
  const std::string log_path = (run / "log.jsonl").string(), split_path = (run / "split.csv").string();
  if (c.data.empty() && c.split_csv.empty()) c.data = bundled_aria_dir();

  nlohmann::json previous;
  if (resume) {
    if (!fs::exists(ckpt_path)) throw UserError(ckpt_path + ": nothing to resume (no checkpoint yet)");
    previous = nlohmann::json::parse(read_file_to_string(config_path));
    TrainConfig before = train_config_from_json(previous["config"]);
    // The split and normalisation of the first start are reused, so only settings can differ.
    c.split_csv = before.split_csv;
    c.preprocess = before.preprocess;
    if (c.image_size <= 0) c.image_size = before.image_size;
    std::string diff;
    if (!same_training_settings(before, c, &diff)) throw UserError(config_path + ": --resume with other settings (" + diff + ")");
  } else if (fs::exists(ckpt_path)) {
    throw UserError(c.out + ": already holds a run; use --resume to continue it or another --out");
  }
  c.validate();
  fs::create_directories(run);

  const int threads = c.threads > 0 ? c.threads : default_thread_count();
  at::set_num_threads(threads);
  torch::manual_seed(c.seed);
  torch::Device device(torch::kCPU);
  if (c.device == "cuda") {
    if (!torch::cuda::is_available()) throw UserError("--device cuda: this LibTorch build sees no CUDA device");
    device = torch::Device(torch::kCUDA);
    // cuBLAS is deterministic only with a fixed workspace, chosen before its first handle exists;
    // cuDNN autotuning picks kernels by timing, so it is on only when results may vary.
    if (c.deterministic) ::setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", /*overwrite=*/0);
    at::globalContext().setDeterministicCuDNN(c.deterministic);
    at::globalContext().setBenchmarkCuDNN(!c.deterministic);
  }
  if (c.deterministic) at::globalContext().setDeterministicAlgorithms(true, false);

  RunData data = resume ? prepare_run_data("", "csv", split_path, "file", 0, 0, c.seed, threads, "")
                        : prepare_run_data(c.data, c.format, c.split_csv, c.split_by, c.val_fraction, c.test_fraction,
                                           c.seed, threads, split_path);
  const auto train_samples = data.split("train"), val_samples = data.split("val");
  const int64_t classes = static_cast<int64_t>(data.dataset.classes.size());
  if (classes < 2) throw UserError("a classifier needs at least two classes; found " + std::to_string(classes));

  ModelSpec spec = describe_model(c.model, c.preset, classes, c.image_size);
  if (c.image_size <= 0) c.image_size = static_cast<int>(spec.input_size);
  c.preprocess.size = c.image_size;
  auto model = make_model(c.model, c.preset, classes, c.image_size);
  std::string pretrained_report;
  if (!c.pretrained.empty()) pretrained_report = load_state(*model, c.pretrained).summary();
  model->to(device);
  if (c.channels_last) {
    torch::NoGradGuard g;
    for (auto& p : model->parameters())
      if (p.dim() == 4) p.set_data(p.data().contiguous(at::MemoryFormat::ChannelsLast));
  }

  std::string cache_dir = c.cache_dir == "none" ? "" : c.cache_dir.empty() ? default_cache_dir() : c.cache_dir;
  Normalisation norm;
  if (resume && previous.contains("normalisation")) norm = normalisation_from_json(previous["normalisation"]);
  else if (c.normalise == "dataset") norm = measure_normalisation(train_samples, c.preprocess, cache_dir, threads);

  LoaderOptions base;
  base.batch_size = c.batch;
  base.preprocess = c.preprocess;
  base.normalisation = norm;
  base.cache_dir = cache_dir;
  base.workers = c.workers;
  base.seed = c.seed;
  base.channels_last = c.channels_last;
  base.pin_memory = device.is_cuda();
  LoaderOptions train_opts = base, val_opts = base;
  train_opts.shuffle = true;
  train_opts.drop_last = train_samples.size() > static_cast<size_t>(c.batch);  // no 1-image BatchNorm steps
  train_opts.balanced = c.balanced_sampler;
  train_opts.augmentation = augment_preset(c.augment);
  train_opts.augment = train_opts.augmentation.any();
  train_opts.train_distortion_p = c.distortion_p;
  train_opts.train_distortion_families = c.distortion_families.empty() && c.distortion_p > 0
                                             ? trainable_distortion_families()
                                             : c.distortion_families;
  train_opts.train_distortion_max_severity = c.distortion_max_severity;
  val_opts.shuffle = false;
  BatchLoader train_loader(train_samples, train_opts), val_loader(val_samples, val_opts);

  torch::Tensor class_weights;
  if (c.class_weights == "auto") {
    std::vector<double> counts(static_cast<size_t>(classes), 0);
    for (const auto& s : train_samples) counts[static_cast<size_t>(s.label)] += 1;
    std::vector<float> w;
    for (double n : counts) w.push_back(n > 0 ? static_cast<float>(train_samples.size() / (classes * n)) : 0.0f);
    class_weights = torch::tensor(w).to(device);
  }
  auto optimizer = make_optimizer(c, *model);

  TrainingState state;
  if (resume) state = load_checkpoint(ckpt_path, *model, *optimizer);
  std::vector<std::string> log_lines = resume ? read_log_lines(log_path, state.next_epoch) : std::vector<std::string>{};

  // config.json: written before the first step, so a crashed run still says what it was.
  nlohmann::json config = {
      {"config", to_json(c)},
      {"classes", data.dataset.classes},
      {"image_size", c.image_size},
      {"normalisation", to_json(norm)},
      {"model_spec", {{"params", spec.params}, {"gflops", spec.gflops}, {"input_size", spec.input_size},
                      {"description", spec.description}}},
      {"data", {{"fingerprint", data.fingerprint}, {"split_by", data.split_by}, {"skipped_files", data.skipped},
                {"train", train_samples.size()}, {"val", val_samples.size()}, {"test", data.split("test").size()},
                {"leakage_audit", {{"groups_shared", data.audit.groups_shared},
                                   {"patients_shared", data.audit.patients_shared},
                                   {"near_duplicate_pairs_across", data.audit.near_duplicate_pairs_across}}}}},
      {"versions", {{"leukoscope", leukoscope_version()}, {"torch", TORCH_VERSION}, {"opencv", CV_VERSION},
                    {"git_commit", leukoscope_git_commit()}}},
      {"pretrained_report", pretrained_report},
      {"threads", threads},
  };
  if (resume && previous.contains("training")) config["training"] = previous["training"];
  write_file_atomically(config_path, config.dump(2) + "\n");

  const size_t steps_per_epoch =
      c.max_steps_per_epoch > 0 ? std::min<size_t>(train_loader.batches_per_epoch(), static_cast<size_t>(c.max_steps_per_epoch))
                                : train_loader.batches_per_epoch();
  const size_t total_steps = steps_per_epoch * static_cast<size_t>(c.epochs);
  const size_t warmup_steps = static_cast<size_t>(c.warmup_epochs * static_cast<double>(steps_per_epoch));
  const bool bf16 = c.amp == "bf16";
  ProgressBar progress(c.epochs, steps_per_epoch, show_progress);
  TrainResult result;
  result.run_dir = c.out;
  result.best_epoch = state.best_epoch;
  result.best_val_f1 = std::max(0.0, state.best_f1);

  for (int epoch = state.next_epoch; epoch < c.epochs; ++epoch) {
    auto t_epoch = std::chrono::steady_clock::now();
    model->train();
    train_loader.start_epoch(epoch);
    double loss_sum = 0, lr = c.lr;
    size_t seen = 0;
    for (size_t step = 0; step < steps_per_epoch; ++step) {
      auto batch = train_loader.next();
      if (!batch) break;
      lr = learning_rate(c.lr, static_cast<size_t>(epoch) * steps_per_epoch + step, warmup_steps, total_steps);
      for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);
      auto x = batch->images.to(device, /*non_blocking=*/true), y = batch->labels.to(device, /*non_blocking=*/true);
      optimizer->zero_grad();
      torch::Tensor loss;
      {
        Bf16Autocast autocast(bf16, device.is_cuda());
        auto options = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(c.label_smoothing);
        if (class_weights.defined()) options.weight(class_weights);
        loss = torch::nn::functional::cross_entropy(model->forward(x).to(torch::kFloat), y, options);
      }
      double value = loss.item<double>();
      if (!std::isfinite(value))
        throw UserError("epoch " + std::to_string(epoch + 1) + " step " + std::to_string(step + 1) + ": loss is " +
                        (std::isnan(value) ? "NaN" : "infinite") + "; stopped (lower --lr?). The last good checkpoint is " +
                        ckpt_path);
      loss.backward();
      optimizer->step();
      loss_sum += value * static_cast<double>(x.size(0));
      seen += static_cast<size_t>(x.size(0));
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_epoch).count();
      progress.update(epoch, step, loss_sum / seen, seen / std::max(elapsed, 1e-9));
    }
    double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_epoch).count();
    Predictions val = predict(*model, val_loader, device, bf16);
    Metrics m = compute_metrics(val.labels, val.probs, static_cast<int>(classes));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_epoch).count();

    bool improved = m.f1_macro > state.best_f1;
    if (improved) {
      state.best_f1 = m.f1_macro;
      state.best_epoch = epoch;
      state.epochs_without_improvement = 0;
      save_state(*model, (run / "best.safetensors").string(),
                 {{"model", c.model}, {"preset", c.preset}, {"image_size", std::to_string(c.image_size)},
                  {"classes", nlohmann::json(data.dataset.classes).dump()}, {"epoch", std::to_string(epoch)}});
    } else {
      ++state.epochs_without_improvement;
    }
    nlohmann::json line = {{"epoch", epoch},          {"lr", lr},
                           {"train_loss", seen ? loss_sum / seen : 0.0},
                           {"val_loss", val.mean_loss}, {"val_acc", m.accuracy},
                           {"val_f1_macro", m.f1_macro}, {"seconds", seconds},
                           {"img_per_s", seen / std::max(train_seconds, 1e-9)}};
    log_lines.push_back(line.dump());
    write_file_atomically(log_path, join_lines(log_lines));
    state.next_epoch = epoch + 1;
    save_checkpoint(ckpt_path, *model, *optimizer, state);
    ++result.epochs_run;
    char summary[256];
    std::snprintf(summary, sizeof(summary), "epoch %d/%d  train_loss %.4f  val_loss %.4f  val_acc %.3f  val_f1 %.3f%s  %.1fs",
                  epoch + 1, c.epochs, seen ? loss_sum / seen : 0.0, val.mean_loss, m.accuracy, m.f1_macro,
                  improved ? " *" : "", seconds);
    progress.end_epoch(summary);
    if (c.early_stop > 0 && state.epochs_without_improvement >= c.early_stop) {
      result.early_stopped = true;
      break;
    }
  }
  result.best_epoch = state.best_epoch;
  result.best_val_f1 = state.best_f1;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  double previous_seconds = config.contains("training") ? config["training"].value("seconds", 0.0) : 0.0;
  config["training"] = {{"seconds", previous_seconds + result.seconds}, {"epochs_completed", state.next_epoch},
                        {"best_epoch", state.best_epoch}, {"best_val_f1_macro", state.best_f1},
                        {"early_stopped", result.early_stopped}};
  write_file_atomically(config_path, config.dump(2) + "\n");
  return result;
}

}  // namespace leuko
