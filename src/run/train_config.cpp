#include "run/train_config.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "common/error.h"
#include "common/json_reader.h"
#include "data/distort.h"

namespace leuko {

std::string TrainConfig::cli_option_name(const std::string& key) {
  static const std::map<std::string, std::string> renamed = {
      {"split_csv", "--split-file"}, {"split_by", "--by"},          {"val_fraction", "--val"},
      {"test_fraction", "--test"},   {"max_steps_per_epoch", "--max-steps"}, {"cache_dir", "--cache"}};
  auto it = renamed.find(key);
  if (it != renamed.end()) return it->second;
  std::string flag = "--" + key;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

void TrainConfig::validate(const OptionNamer& name) const {
  auto fail = [&](const std::string& key, const std::string& why) { throw UserError(name(key) + ": " + why); };
  // Comparisons are written so that NaN fails them.
  auto require = [&](bool ok, const std::string& key, const std::string& why) {
    if (!ok) fail(key, why);
  };
  require(epochs >= 1, "epochs", "must be at least 1");
  require(batch >= 1, "batch", "must be at least 1");
  require(image_size == 0 || (image_size >= 8 && image_size <= 4096), "image_size", "must be within 8..4096");
  require(val_fraction >= 0 && test_fraction >= 0 && val_fraction + test_fraction < 1, "val_fraction",
          "the validation and test fractions must be >= 0 and sum to less than 1");
  require(lr > 0 && std::isfinite(lr), "lr", "must be a positive number");
  require(weight_decay >= 0 && std::isfinite(weight_decay), "weight_decay", "must be a number >= 0");
  require(warmup_epochs >= 0 && std::isfinite(warmup_epochs), "warmup_epochs", "must be a number >= 0");
  require(label_smoothing >= 0 && label_smoothing < 1, "label_smoothing", "must be within [0, 1)");
  require(min_lr >= 0 && min_lr <= lr, "min_lr", "must be within 0..the peak learning rate (--lr)");
  require(clip_grad >= 0 && std::isfinite(clip_grad), "clip_grad", "must be 0 (off) or a positive gradient norm");
  require(ema_decay == 0 || (ema_decay > 0 && ema_decay < 1), "ema_decay", "must be 0 (off) or within (0, 1), e.g. 0.999");
  require(mixup >= 0 && std::isfinite(mixup), "mixup", "must be 0 (off) or a Beta parameter > 0, e.g. 0.2");
  require(cutmix >= 0 && std::isfinite(cutmix), "cutmix", "must be 0 (off) or a Beta parameter > 0, e.g. 1.0");
  require(drop_path >= 0 && drop_path < 1, "drop_path", "must be within [0, 1)");
  require(drop_path == 0 || model == "vit-hybrid", "drop_path",
          "only the ViT Hybrid's transformer blocks have stochastic depth (not " + model + ")");
  require(!(class_weights == ClassWeights::Auto && (mixup > 0 || cutmix > 0)), "class_weights",
          "auto class weights and mixup/cutmix do not combine (a mixed image has two labels); use --balanced-sampler");
  require(distortion_p >= 0 && distortion_p <= 1, "distortion_p", "must be within [0, 1]");
  require(distortion_max_severity >= 1 && distortion_max_severity <= 5, "distortion_max_severity",
          "must be within 1..5");
  require(early_stop >= 0, "early_stop", "must be 0 (off) or a patience in epochs");
  require(threads >= 0, "threads", "must be 0 (all cores) or more");
  require(workers >= 0, "workers", "must be 0 or more");
  require(dist_timeout >= 1 && dist_timeout <= 86400, "dist_timeout", "must be within 1..86400 seconds");
  require(max_steps_per_epoch >= 0, "max_steps_per_epoch", "must be 0 (whole epochs) or more");
  const auto& trainable = trainable_distortion_families();
  for (const auto& f : distortion_families)
    if (std::find(trainable.begin(), trainable.end(), f) == trainable.end())
      fail("distortion_families", "'" + f + "' is not a trainable distortion family");
  try {
    preprocess.validate();
  } catch (const UserError& e) {
    fail("preprocess", e.what());
  }
}

nlohmann::json to_json(const TrainConfig& c) {
  return {{"model", c.model},
          {"preset", c.preset},
          {"data", c.data},
          {"format", choice_name(c.format)},
          {"split_csv", c.split_csv},
          {"split_by", choice_name(c.split_by)},
          {"val_fraction", c.val_fraction},
          {"test_fraction", c.test_fraction},
          {"out", c.out},
          {"epochs", c.epochs},
          {"batch", c.batch},
          {"image_size", c.image_size},
          {"preprocess", to_json(c.preprocess)},
          {"normalise", choice_name(c.normalise)},
          {"augment", choice_name(c.augment)},
          {"distortion_p", c.distortion_p},
          {"distortion_families", c.distortion_families},
          {"distortion_max_severity", c.distortion_max_severity},
          {"optimizer", choice_name(c.optimizer)},
          {"lr", c.lr},
          {"weight_decay", c.weight_decay},
          {"warmup_epochs", c.warmup_epochs},
          {"min_lr", c.min_lr},
          {"label_smoothing", c.label_smoothing},
          {"clip_grad", c.clip_grad},
          {"ema_decay", c.ema_decay},
          {"mixup", c.mixup},
          {"cutmix", c.cutmix},
          {"drop_path", c.drop_path},
          {"class_weights", choice_name(c.class_weights)},
          {"balanced_sampler", c.balanced_sampler},
          {"early_stop", c.early_stop},
          {"pretrained", c.pretrained},
          {"device", choice_name(c.device)},
          {"amp", choice_name(c.amp)},
          {"channels_last", c.channels_last},
          {"threads", c.threads},
          {"workers", c.workers},
          {"seed", c.seed},
          {"deterministic", c.deterministic},
          {"max_steps_per_epoch", c.max_steps_per_epoch},
          {"cache_dir", c.cache_dir},
          {"dist_backend", choice_name(c.dist_backend)},
          {"dist_timeout", c.dist_timeout},
          {"sync_bn", c.sync_bn},
          {"lr_scaling", choice_name(c.lr_scaling)}};
}

TrainConfig train_config_from_json(const JsonReader& j) {
  TrainConfig c;
#define LEUKO_READ(field) c.field = j.get_or(#field, c.field)
#define LEUKO_CHOICE(field) c.field = j.choice_or(#field, c.field)
  LEUKO_READ(model);
  LEUKO_READ(preset);
  LEUKO_READ(data);
  LEUKO_CHOICE(format);
  LEUKO_READ(split_csv);
  LEUKO_CHOICE(split_by);
  LEUKO_READ(val_fraction);
  LEUKO_READ(test_fraction);
  LEUKO_READ(out);
  LEUKO_READ(epochs);
  LEUKO_READ(batch);
  LEUKO_READ(image_size);
  LEUKO_CHOICE(normalise);
  LEUKO_CHOICE(augment);
  LEUKO_READ(distortion_p);
  LEUKO_READ(distortion_families);
  LEUKO_READ(distortion_max_severity);
  LEUKO_CHOICE(optimizer);
  LEUKO_READ(lr);
  LEUKO_READ(weight_decay);
  LEUKO_READ(warmup_epochs);
  LEUKO_READ(min_lr);
  LEUKO_READ(label_smoothing);
  LEUKO_READ(clip_grad);
  LEUKO_READ(ema_decay);
  LEUKO_READ(mixup);
  LEUKO_READ(cutmix);
  LEUKO_READ(drop_path);
  LEUKO_CHOICE(class_weights);
  LEUKO_READ(balanced_sampler);
  LEUKO_READ(early_stop);
  LEUKO_READ(pretrained);
  LEUKO_CHOICE(device);
  LEUKO_CHOICE(amp);
  LEUKO_READ(channels_last);
  LEUKO_READ(threads);
  LEUKO_READ(workers);
  LEUKO_READ(seed);
  LEUKO_READ(deterministic);
  LEUKO_READ(max_steps_per_epoch);
  LEUKO_READ(cache_dir);
  LEUKO_CHOICE(dist_backend);
  LEUKO_READ(dist_timeout);
  LEUKO_READ(sync_bn);
  LEUKO_CHOICE(lr_scaling);
#undef LEUKO_CHOICE
#undef LEUKO_READ
  if (auto p = j.optional_object("preprocess")) c.preprocess = preprocess_from_json(*p);
  return c;
}

bool same_training_settings(const TrainConfig& a, const TrainConfig& b, std::string* first_difference) {
  nlohmann::json ja = to_json(a), jb = to_json(b);
  for (const char* volatile_key : {"out", "threads", "workers", "cache_dir", "epochs", "dist_backend", "dist_timeout"}) {
    ja.erase(volatile_key);
    jb.erase(volatile_key);
  }
  for (auto it = ja.begin(); it != ja.end(); ++it)
    if (!jb.contains(it.key()) || jb[it.key()] != it.value()) {
      if (first_difference)
        *first_difference = it.key() + " was " + json_text(it.value()) + ", now " + (jb.contains(it.key()) ? json_text(jb[it.key()]) : "unset");
      return false;
    }
  return true;
}

}  // namespace leuko
