#include "train/train_config.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "data/augment.h"
#include "data/distort.h"

namespace leuko {

void TrainConfig::validate() const {
  auto one_of = [](const std::string& v, std::initializer_list<const char*> allowed, const char* option) {
    for (const char* a : allowed)
      if (v == a) return;
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw UserError(std::string(option) + " " + v + ": expected " + list);
  };
  one_of(optimizer, {"adamw", "sgd"}, "--optimizer");
  one_of(normalise, {"imagenet", "dataset"}, "--normalise");
  one_of(class_weights, {"auto", "none"}, "--class-weights");
  one_of(amp, {"bf16", "off"}, "--amp");
  one_of(device, {"cpu", "cuda"}, "--device");
  one_of(split_by, {"auto", "patient", "cluster", "image", "official"}, "--split-by");
  augment_preset(augment);
  preprocess.validate();
  if (epochs < 1) throw UserError("--epochs must be at least 1");
  if (batch < 1) throw UserError("--batch must be at least 1");
  if (lr <= 0) throw UserError("--lr must be positive");
  if (label_smoothing < 0 || label_smoothing >= 1) throw UserError("--label-smoothing must be in [0, 1)");
  if (distortion_p < 0 || distortion_p > 1) throw UserError("--distortion-p must be in [0, 1]");
  for (const auto& f : distortion_families) {
    const auto& ok = trainable_distortion_families();
    if (std::find(ok.begin(), ok.end(), f) == ok.end())
      throw UserError("--distortion-families " + f + ": not a trainable distortion family");
  }
}

nlohmann::json to_json(const TrainConfig& c) {
  return {{"model", c.model},
          {"preset", c.preset},
          {"data", c.data},
          {"format", c.format},
          {"split_csv", c.split_csv},
          {"split_by", c.split_by},
          {"val_fraction", c.val_fraction},
          {"test_fraction", c.test_fraction},
          {"out", c.out},
          {"epochs", c.epochs},
          {"batch", c.batch},
          {"image_size", c.image_size},
          {"preprocess", to_json(c.preprocess)},
          {"normalise", c.normalise},
          {"augment", c.augment},
          {"distortion_p", c.distortion_p},
          {"distortion_families", c.distortion_families},
          {"distortion_max_severity", c.distortion_max_severity},
          {"optimizer", c.optimizer},
          {"lr", c.lr},
          {"weight_decay", c.weight_decay},
          {"warmup_epochs", c.warmup_epochs},
          {"label_smoothing", c.label_smoothing},
          {"class_weights", c.class_weights},
          {"balanced_sampler", c.balanced_sampler},
          {"early_stop", c.early_stop},
          {"pretrained", c.pretrained},
          {"device", c.device},
          {"amp", c.amp},
          {"channels_last", c.channels_last},
          {"threads", c.threads},
          {"workers", c.workers},
          {"seed", c.seed},
          {"deterministic", c.deterministic},
          {"max_steps_per_epoch", c.max_steps_per_epoch},
          {"cache_dir", c.cache_dir}};
}

TrainConfig train_config_from_json(const nlohmann::json& j) {
  TrainConfig c;
#define LEUKO_READ(field) c.field = j.value(#field, c.field)
  LEUKO_READ(model);
  LEUKO_READ(preset);
  LEUKO_READ(data);
  LEUKO_READ(format);
  LEUKO_READ(split_csv);
  LEUKO_READ(split_by);
  LEUKO_READ(val_fraction);
  LEUKO_READ(test_fraction);
  LEUKO_READ(out);
  LEUKO_READ(epochs);
  LEUKO_READ(batch);
  LEUKO_READ(image_size);
  LEUKO_READ(normalise);
  LEUKO_READ(augment);
  LEUKO_READ(distortion_p);
  LEUKO_READ(distortion_families);
  LEUKO_READ(distortion_max_severity);
  LEUKO_READ(optimizer);
  LEUKO_READ(lr);
  LEUKO_READ(weight_decay);
  LEUKO_READ(warmup_epochs);
  LEUKO_READ(label_smoothing);
  LEUKO_READ(class_weights);
  LEUKO_READ(balanced_sampler);
  LEUKO_READ(early_stop);
  LEUKO_READ(pretrained);
  LEUKO_READ(device);
  LEUKO_READ(amp);
  LEUKO_READ(channels_last);
  LEUKO_READ(threads);
  LEUKO_READ(workers);
  LEUKO_READ(seed);
  LEUKO_READ(deterministic);
  LEUKO_READ(max_steps_per_epoch);
  LEUKO_READ(cache_dir);
#undef LEUKO_READ
  if (j.contains("preprocess")) c.preprocess = preprocess_from_json(j["preprocess"]);
  return c;
}

bool same_training_settings(const TrainConfig& a, const TrainConfig& b, std::string* first_difference) {
  nlohmann::json ja = to_json(a), jb = to_json(b);
  for (const char* volatile_key : {"out", "threads", "workers", "cache_dir", "epochs"}) {
    ja.erase(volatile_key);
    jb.erase(volatile_key);
  }
  for (auto it = ja.begin(); it != ja.end(); ++it)
    if (!jb.contains(it.key()) || jb[it.key()] != it.value()) {
      if (first_difference)
        *first_difference = it.key() + " was " + it.value().dump() + ", now " + (jb.contains(it.key()) ? jb[it.key()].dump() : "unset");
      return false;
    }
  return true;
}

}  // namespace leuko
