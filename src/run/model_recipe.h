#pragma once
// A model's own recipe: the training settings it gets where the user set none. One recipe does
// not suit all three models. The ViT Hybrid gets lr 3e-4 with 3 warm-up epochs and drop-path 0.1
// (with the GroupNorm backbone it had until 2026-12-06, the CNNs' lr 1e-3 never left the majority
// class on C-NMC; bench/RESULTS.md, "A recipe for the small ViT Hybrid"), and mixup 0.2: with it
// the hybrid on C-NMC fold 0 went from 0.923 to 0.948 mean test macro-F1 over three seeds (the
// CNNs: 0.960 and 0.941; "Mixup for the small ViT Hybrid"). The CNNs' recipe is TrainConfig's defaults
// (bench/defaults_ablation.sh).
#include <functional>
#include <string>
#include <vector>

#include "run/train_config.h"

namespace leuko {

// Sets the model's recipe keys the user did not give (`given(key)`, config key names such as
// "lr"; the hybrid's warm-up is at most 30 % of c.epochs, so set epochs first) and returns
// "key value" for each key it set, for the user to see; empty when the model has no recipe of
// its own or the user gave every key of it.
std::vector<std::string> apply_model_recipe(TrainConfig& c, const std::function<bool(const std::string& key)>& given);

}  // namespace leuko
