#include "run/model_recipe.h"

#include <algorithm>
#include <sstream>

namespace leuko {

std::vector<std::string> apply_model_recipe(TrainConfig& c, const std::function<bool(const std::string& key)>& given) {
  struct Setting {
    const char* key;
    double TrainConfig::*field;
    double value;
  };
  static const Setting vit_hybrid[] = {
      {"lr", &TrainConfig::lr, 3e-4},
      {"warmup_epochs", &TrainConfig::warmup_epochs, 3},
      {"drop_path", &TrainConfig::drop_path, 0.1},
      {"mixup", &TrainConfig::mixup, 0.2},
  };
  std::vector<std::string> applied;
  if (c.model != "vit-hybrid") return applied;
  for (const auto& s : vit_hybrid) {
    if (given(s.key)) continue;
    // Mixup only where the user chose no other mixing (CutMix alone stays CutMix alone; an
    // explicit `--cutmix 0` is no mixing, so mixup stays) and no class weights that a mixed label
    // cannot carry (TrainConfig::validate refuses that pair).
    if (s.field == &TrainConfig::mixup && (c.cutmix > 0 || c.class_weights == ClassWeights::Auto)) continue;
    // The warm-up is 3 of the 10 epochs it was measured over; a shorter run keeps that share
    // rather than ending before the rate reaches its peak.
    c.*s.field = s.field == &TrainConfig::warmup_epochs ? std::min(s.value, 0.3 * c.epochs) : s.value;
    std::ostringstream text;
    text << s.key << " " << c.*s.field;
    applied.push_back(text.str());
  }
  return applied;
}

}  // namespace leuko
