#pragma once
// Runs a model over a loader and collects what the metrics need: labels, logits, probabilities,
// the mean loss, in the loader's sample order.
#include <vector>

#include <torch/types.h>

#include "data/torch/batch_loader.h"

namespace leuko {

class ClassifierModule;
class CountProgress;

struct Predictions {
  int num_classes = 0;
  std::vector<int> labels;
  std::vector<size_t> sample_index;  // position in the loader's sample list
  std::vector<float> logits;         // row-major n x K
  std::vector<float> probs;          // softmax of logits (or the TTA mean of softmaxes)
  std::vector<float> features;       // row-major n x feature_dim penultimate features, when asked
  int64_t feature_dim = 0;
  double mean_loss = 0;              // cross-entropy of the logits (0 for unlabelled images)
  std::vector<SkippedFile> unreadable;  // left out by a skip_unreadable loader, with the reason
  double seconds = 0;
};

// Eval mode, no grad. `tta`: average softmax over the 8 dihedral views (flips x 90-degree turns).
// `features`: also keep the pooled penultimate features (of the unturned view). `progress`, when
// given, advances by each batch's images.
Predictions predict(ClassifierModule& model, BatchLoader& loader, const torch::Device& device, bool bf16 = false,
                    bool tta = false, bool features = false, CountProgress* progress = nullptr);

}  // namespace leuko
