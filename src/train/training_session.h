#pragma once
// Everything a training loop needs, built once before the first step: the run folder and its
// record, the device, the split, the model (with pretrained weights when asked), the loaders, the
// loss's class weights, the optimiser and — on --resume — the state to continue from.
#include <memory>
#include <vector>

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include "data/torch/batch_loader.h"
#include "models/model.h"
#include "distributed/world.h"
#include "run/run_dir.h"
#include "run/run_lock.h"
#include "train/checkpoint.h"

namespace leuko {

class Communicator;
class GradientAverager;
class WeightAverage;

struct TrainingSession {
  TrainConfig config;  // as resolved (image size, split file, preprocessing)
  RunDir run;
  RunRecord record;    // what config.json says; `training` is filled in at the end
  torch::Device device = torch::kCPU;
  std::shared_ptr<ClassifierModule> model;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::unique_ptr<WeightAverage> average;  // --ema-decay: what validation and best.safetensors hold
  std::unique_ptr<BatchLoader> train_loader, val_loader;
  torch::Tensor class_weights;  // undefined = unweighted loss
  TrainingState state;          // where the epochs start (0, or the checkpoint's)
  std::vector<EpochRecord> log; // the epochs already done
  size_t steps_per_epoch = 0, total_steps = 0, warmup_steps = 0;
  std::unique_ptr<RunLock> lock;  // held from the folder's creation to the end of training (rank 0)
  double peak_lr = 0;              // --lr, times the ranks under --lr-scaling linear

  // As one rank of several: the world, the link to the other ranks (also predict()'s, for the
  // time of the session) and the gradient averaging of every step. Only rank 0 writes the run.
  // `train` joins the world for its session; a study's trainings share the study's world (the
  // current communicator when the session starts).
  World world;
  std::unique_ptr<Communicator> own_communicator;
  Communicator* communicator = nullptr;  // own_communicator, or the study's
  std::unique_ptr<GradientAverager> gradients;
  bool writes() const { return world.is_main(); }

  explicit TrainingSession(RunDir r) : run(std::move(r)) {}
  ~TrainingSession();
};

// Resolves the settings (from the run itself on --resume), prepares the data and the model, and
// writes config.json before the first step, so a crashed run still says what it was.
std::unique_ptr<TrainingSession> start_training_session(TrainConfig config, bool resume);

}  // namespace leuko
