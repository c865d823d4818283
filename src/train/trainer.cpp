#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "common/json_text.h"
#include "common/error.h"
#include "common/progress_bar.h"
#include "eval/metrics.h"
#include "distributed/torch/communicator.h"
#include "distributed/torch/gradient_averager.h"
#include "distributed/torch/replicas.h"
#include "eval/torch/inference.h"
#include "models/autocast.h"
#include "models/weights.h"
#include "train/optimizer.h"
#include "train/batch_mixing.h"
#include "train/training_session.h"
#include "train/weight_average.h"

namespace leuko {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct EpochTotals {
  double loss_sum = 0, lr = 0, seconds = 0, collective_seconds = 0, loader_wait_seconds = 0;
  size_t images = 0;
  double mean_loss() const { return images ? loss_sum / static_cast<double>(images) : 0.0; }
};

// SplitMix64's finaliser: a well-spread seed from (run seed, rank, step).
uint64_t mix_seed(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// One pass over the training split (or its first --max-steps batches).
EpochTotals train_one_epoch(TrainingSession& s, int epoch, ProgressBar& progress) {
  const TrainConfig& c = s.config;
  const auto start = Clock::now();
  EpochTotals totals;
  totals.lr = c.lr;
  s.model->train();
  s.train_loader->start_epoch(epoch);
  auto loss_options = torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(c.label_smoothing);
  if (s.class_weights.defined()) loss_options.weight(s.class_weights);
  const MixingOptions mixing{c.mixup, c.cutmix, c.label_smoothing};
  const int64_t classes = static_cast<int64_t>(s.record.classes.size());
  for (size_t step = 0; step < s.steps_per_epoch; ++step) {
    // Time blocked on the loader: the share of the epoch the data path did not hide behind compute.
    const auto waiting_for_batch = Clock::now();
    auto batch = s.train_loader->next();
    totals.loader_wait_seconds += seconds_since(waiting_for_batch);
    if (!batch) break;
    const size_t global_step = static_cast<size_t>(epoch) * s.steps_per_epoch + step;
    totals.lr = scheduled_learning_rate(s.peak_lr, global_step, s.warmup_steps, s.total_steps, c.min_lr);
    set_learning_rate(*s.optimizer, totals.lr);
    auto x = batch->images.to(s.device, /*non_blocking=*/true), y = batch->labels.to(s.device, /*non_blocking=*/true);
    torch::Tensor soft_targets;
    if (mixing.enabled()) {
      // Drawn from (seed, rank, step), so a resumed run mixes its batches as the first start would.
      std::mt19937_64 rng(mix_seed(c.seed ^ mix_seed((static_cast<uint64_t>(s.world.rank) << 40) + global_step)));
      MixedBatch mixed = mix_batch(x, y, classes, mixing, rng);
      x = mixed.images;
      soft_targets = mixed.targets;
    }
    s.optimizer->zero_grad();
    torch::Tensor loss;
    {
      Bf16Autocast autocast(c.amp == Amp::Bf16, s.device.is_cuda());
      const torch::Tensor logits = s.model->forward(x).to(torch::kFloat);
      loss = soft_targets.defined() ? soft_target_cross_entropy(logits, soft_targets)
                                    : torch::nn::functional::cross_entropy(logits, y, loss_options);
    }
    double value = loss.item<double>(), images = static_cast<double>(x.size(0));
    if (s.communicator) {
      const auto waiting = Clock::now();
      // The job's loss (every rank's mean, weighted by its images): every rank logs the same
      // number and, on a NaN anywhere, all stop here together instead of waiting for each other.
      std::vector<torch::Tensor> sums{torch::tensor({value * images, images}, torch::kDouble)};
      s.communicator->all_reduce_sum(sums);
      images = sums[0][1].item<double>();
      value = sums[0][0].item<double>() / images;
      totals.collective_seconds += seconds_since(waiting);
    }
    if (!std::isfinite(value))
      throw UserError("epoch " + std::to_string(epoch + 1) + " step " + std::to_string(step + 1) + ": loss is " +
                      (std::isnan(value) ? "NaN" : "infinite") + "; stopped (lower --lr?). The last good checkpoint is " +
                      s.run.last_checkpoint_path());
    if (s.gradients) s.gradients->begin_step();
    loss.backward();
    if (s.gradients) {
      const auto waiting = Clock::now();
      s.gradients->finish_step();
      totals.collective_seconds += seconds_since(waiting);
    }
    // After averaging: every rank clips the same gradient by the same factor.
    if (c.clip_grad > 0) torch::nn::utils::clip_grad_norm_(s.model->parameters(), c.clip_grad);
    s.optimizer->step();
    if (s.average) s.average->update(*s.model);
    totals.loss_sum += value * images;
    totals.images += static_cast<size_t>(images);
    progress.update(epoch, step, totals.mean_loss(), totals.images / std::max(seconds_since(start), 1e-9));
  }
  totals.seconds = seconds_since(start);
  return totals;
}

void save_best_weights(const TrainingSession& s, int epoch) {
  if (!s.writes()) return;
  const TrainConfig& c = s.config;
  save_state(*s.model, s.run.best_weights_path(),
             {{"model", c.model}, {"preset", c.preset}, {"image_size", std::to_string(c.image_size)},
              {"classes", json_text(nlohmann::json(s.record.classes))}, {"epoch", std::to_string(epoch)}});
}

}  // namespace

TrainResult train_model(TrainConfig config, bool resume, bool show_progress) {
  const auto start = Clock::now();
  auto session = start_training_session(std::move(config), resume);
  TrainingSession& s = *session;
  const TrainConfig& c = s.config;
  const int classes = static_cast<int>(s.record.classes.size());
  ProgressBar progress(c.epochs, s.steps_per_epoch, show_progress && s.writes());
  TrainResult result;
  result.run_dir = c.out;

  for (int epoch = s.state.next_epoch; epoch < c.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    EpochTotals train = train_one_epoch(s, epoch, progress);
    // Each rank's batch norms saw only its images: the job's model has their mean (replicas.h).
    if (s.communicator) average_running_statistics(*s.communicator, *s.model);

    // With --ema-decay the average is what is validated and kept as the best weights; training
    // resumes from the live weights (swapped back below, also when validation throws).
    struct AverageInPlace {
      TrainingSession& s;
      explicit AverageInPlace(TrainingSession& session) : s(session) {
        if (!s.average) return;
        s.average->swap_with(*s.model);
        try {
          if (s.communicator) average_running_statistics(*s.communicator, *s.model);
        } catch (...) {
          s.average->swap_with(*s.model);
          throw;
        }
      }
      ~AverageInPlace() {
        try {
          if (s.average) s.average->swap_with(*s.model);
        } catch (const std::exception& e) {  // never from a destructor; the run stops on its own error
          std::fprintf(stderr, "warning: could not swap the live weights back after validation: %s\n", e.what());
        }
      }
    };
    std::optional<AverageInPlace> averaged;
    averaged.emplace(s);
    Predictions val = predict(*s.model, *s.val_loader, s.device, c.amp == Amp::Bf16);
    // The last step of the epoch can leave the weights non-finite with a finite loss: stop here,
    // before a NaN model is saved as the best one.
    if (std::any_of(val.logits.begin(), val.logits.end(), [](float v) { return !std::isfinite(v); }))
      throw UserError("epoch " + std::to_string(epoch + 1) + ": the weights are no longer finite after the last step " +
                      "(validation logits are NaN or infinite); stopped (lower --lr?). The last good checkpoint is " +
                      s.run.last_checkpoint_path());
    Metrics m = compute_metrics(val.labels, val.probs, classes);
    const bool improved = m.f1_macro > s.state.best_f1;
    if (improved) {
      s.state.best_f1 = m.f1_macro;
      s.state.best_epoch = epoch;
      s.state.epochs_without_improvement = 0;
      save_best_weights(s, epoch);
    } else {
      ++s.state.epochs_without_improvement;
    }
    averaged.reset();

    const double seconds = seconds_since(epoch_start);
    s.log.push_back({epoch, train.lr, train.mean_loss(), val.mean_loss, m.accuracy, m.f1_macro, seconds,
                     train.images / std::max(train.seconds, 1e-9), train.collective_seconds, train.loader_wait_seconds});
    s.state.next_epoch = epoch + 1;
    try {
      if (s.writes()) {
        s.run.write_log(s.log);
        save_checkpoint(s.run.last_checkpoint_path(), *s.model, *s.optimizer, s.state, s.average.get());
      }
    } catch (const UserError&) {
      // The epoch is not done until its checkpoint is: take its log line back (best effort: the
      // disk that refused the checkpoint may refuse this too; resuming drops it anyway).
      s.log.pop_back();
      try {
        s.run.write_log(s.log);
      } catch (const UserError&) {
      }
      throw;
    }
    ++result.epochs_run;

    char summary[256];
    std::snprintf(summary, sizeof(summary), "epoch %d/%d  train_loss %.4f  val_loss %.4f  val_acc %.3f  val_f1 %.3f%s  %.1fs",
                  epoch + 1, c.epochs, train.mean_loss(), val.mean_loss, m.accuracy, m.f1_macro, improved ? " *" : "",
                  seconds);
    progress.end_epoch(summary);
    if (c.early_stop > 0 && s.state.epochs_without_improvement >= c.early_stop) {
      result.early_stopped = true;
      break;
    }
  }

  result.best_epoch = s.state.best_epoch;
  result.best_val_f1 = s.state.best_f1;
  result.seconds = seconds_since(start);
  const double earlier_seconds = s.record.training ? s.record.training->seconds : 0.0;
  s.record.training = TrainingOutcome{earlier_seconds + result.seconds, s.state.next_epoch, s.state.best_epoch,
                                      s.state.best_f1, result.early_stopped};
  if (s.writes()) s.run.write_config(s.record);
  return result;
}

}  // namespace leuko
