#pragma once
// last.ckpt: everything needed to continue a run exactly where its last finished epoch left it —
// weights, optimiser state, the epoch, the best validation score so far, the early-stopping
// counter and torch's CPU random state (and the CUDA one for a model on a GPU). Written to a
// temporary file and renamed; loading maps every tensor to the device of the model's parameters.
#include <string>

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

namespace leuko {

struct TrainingState {
  int next_epoch = 0;
  double best_f1 = -1;
  int best_epoch = -1;
  int epochs_without_improvement = 0;
};

class WeightAverage;

// `average`, when training keeps one (--ema-decay), is saved beside the weights.
void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                     const TrainingState& state, const WeightAverage* average = nullptr);

// Restores model, optimiser and torch's CPU generator; returns the training state. UserError
// naming the file when it is missing or unreadable.
TrainingState load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                              WeightAverage* average = nullptr);

}  // namespace leuko
