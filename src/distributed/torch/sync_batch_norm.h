#pragma once
// Synchronised batch norm (--sync-bn): in training, the batch statistics are those of the global
// batch — every rank's images — instead of this rank's, as torch.nn.SyncBatchNorm computes them:
// forward all-reduces each channel's sum, sum of squares and count; backward all-reduces the
// sums of the output gradient and of its product with (x − mean). With it, N ranks of batch B
// train the same model as one process of batch N·B. Costs two small all-reduces per batch norm
// per step; without it each rank normalises by its own batch (DDP's default) and only the
// running statistics are averaged (replicas.h).
namespace leuko {

class Communicator;

// Routes every training-mode batch norm of conv_bn() through the communicator; nullptr restores
// the per-rank batch norm.
void synchronise_batch_norm(Communicator* communicator);

}  // namespace leuko
