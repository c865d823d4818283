#pragma once
// Keeping the ranks' copies of the model the same where the step does not: the weights and
// buffers start as rank 0's, and batch norm's running statistics — computed by each rank on its
// own images during the step — are averaged across ranks before every validation and checkpoint
// (timm's distribute_bn with reduce=True), so rank 0's saved model is the job's model.
#include <torch/nn/module.h>

namespace leuko {

class Communicator;

void broadcast_from_main(Communicator& communicator, torch::nn::Module& model);

void average_running_statistics(Communicator& communicator, torch::nn::Module& model);

}  // namespace leuko
