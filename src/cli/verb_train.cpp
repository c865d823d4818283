// `leukoscope train`: one model of the registry on one dataset, into a run folder.
#include "cli/verbs.h"

#include <iostream>

#include "cli/choice_option.h"
#include "common/error.h"
#include "distributed/world.h"
#include "run/model_recipe.h"
#include "train/trainer.h"

namespace leuko::cli {

void add_train_verb(CLI::App& app) {
  auto c = std::make_shared<TrainConfig>();
  auto resume = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("train", "train one model; progress bar; per-epoch log; best and last checkpoints");
  cmd->add_option("--model", c->model, "simple-cnn | resnet50 | vit-hybrid (default simple-cnn)");
  cmd->add_option("--preset", c->preset, "paper | paper-384 | base | small | tiny (default: base for simple-cnn, else small; see `leukoscope models`)");
  cmd->add_option("--data", c->data, "dataset folder or CSV (default: the bundled Aria subset)");
  add_choice(cmd, "--format", c->format, "dataset layout");
  cmd->add_option("--split-file", c->split_csv,
                  "split.csv from `data split` (default: make a grouped split, saved in the run)");
  cmd->add_option("--split", c->split_csv)->group("");  // the old spelling, kept for one release
  add_choice(cmd, "--by", c->split_by, "what a new split keeps together; auto = patient when known, else cluster");
  add_choice(cmd, "--split-by", c->split_by, "")->group("");  // the old spelling
  cmd->add_option("--val", c->val_fraction, "validation fraction of a new split (default 0.15)");
  cmd->add_option("--test", c->test_fraction, "test fraction of a new split (default 0.15)");
  cmd->add_option("--out", c->out, "run folder")->required();
  cmd->add_option("--epochs", c->epochs, "epochs (default 10)");
  cmd->add_option("--batch", c->batch, "batch size (default 32)");
  cmd->add_option("--image-size", c->image_size, "square model input (default: the preset's)");
  add_choice(cmd, "--denoise", c->preprocess.denoise, "denoising before resizing");
  cmd->add_flag("--crop-to-cell", c->preprocess.crop_to_cell, "crop to the non-black cell (C-NMC)");
  add_choice(cmd, "--interpolation", c->preprocess.interpolation, "upscaling filter");
  add_choice(cmd, "--normalise", c->normalise, "per-channel statistics: ImageNet's or the training split's");
  add_choice(cmd, "--augment", c->augment, "augmentation strength");
  cmd->add_option("--distortion-p", c->distortion_p, "probability of a random distortion per training image (default 0)");
  cmd->add_option("--distortion-families", c->distortion_families, "families for --distortion-p (default: the six of the sweep)");
  add_choice(cmd, "--optimizer", c->optimizer, "optimiser");
  cmd->add_option("--lr", c->lr, "peak learning rate (default 1e-3; vit-hybrid 3e-4)");
  cmd->add_option("--weight-decay", c->weight_decay, "weight decay (default 0.05; never on norms and biases)");
  cmd->add_option("--warmup-epochs", c->warmup_epochs, "linear warm-up, then cosine decay (default 1; vit-hybrid 3, at most 30 % of the epochs)");
  cmd->add_option("--min-lr", c->min_lr, "where the cosine ends (default 0)");
  cmd->add_option("--label-smoothing", c->label_smoothing, "default 0.1");
  cmd->add_option("--clip-grad", c->clip_grad, "clip the gradients' global norm to this (default 0 = off)");
  cmd->add_option("--ema-decay", c->ema_decay, "validate and save an EMA of the weights, e.g. 0.999 (default 0 = off)");
  cmd->add_option("--mixup", c->mixup, "mixup Beta(a, a), e.g. 0.2 (default 0 = off; vit-hybrid 0.2, unless --cutmix or auto class weights)");
  cmd->add_option("--cutmix", c->cutmix, "CutMix Beta(a, a), e.g. 1.0 (default 0 = off)");
  cmd->add_option("--drop-path", c->drop_path, "ViT Hybrid stochastic depth (vit-hybrid default 0.1)");
  add_choice(cmd, "--class-weights", c->class_weights, "loss weights; auto = inverse class frequency");
  cmd->add_flag("--balanced-sampler", c->balanced_sampler, "draw classes equally often");
  cmd->add_option("--early-stop", c->early_stop, "stop after N epochs without a better validation macro-F1 (default off)");
  cmd->add_option("--pretrained", c->pretrained, "safetensors weights with torchvision/timm names");
  add_choice(cmd, "--device", c->device, "where to train");
  add_choice(cmd, "--amp", c->amp, "bfloat16 autocast");
  cmd->add_flag("--channels-last", c->channels_last, "NHWC memory format");
  cmd->add_option("--threads", c->threads, "intra-op threads (default: all cores)");
  cmd->add_option("--workers", c->workers, "loader threads (default 2)");
  cmd->add_option("--seed", c->seed, "random seed (default 42)");
  cmd->add_flag("--deterministic", c->deterministic, "deterministic algorithms: same seed, same weights (CPU)");
  cmd->add_option("--max-steps", c->max_steps_per_epoch, "cap on steps per epoch (smoke tests)");
  cmd->add_option("--cache", c->cache_dir, "preprocessing cache folder, or none (default ~/.cache/leukoscope)");
  add_choice(cmd, "--dist-backend", c->dist_backend, "collectives when run as one rank of several (torchrun, launch)");
  cmd->add_option("--dist-timeout", c->dist_timeout, "seconds to wait for another rank before stopping (default 300)");
  cmd->add_flag("--sync-bn", c->sync_bn, "batch-norm statistics over every rank's batch (default: per rank)");
  add_choice(cmd, "--lr-scaling", c->lr_scaling, "linear = --lr times the number of ranks");
  cmd->add_flag("--resume", *resume, "continue RUN from its last.ckpt");
  cmd->add_flag("--quiet", *quiet, "no progress bar");
  cmd->callback([c, resume, quiet, cmd] {
    auto given = [cmd](const std::string& key) { return cmd->count(TrainConfig::cli_option_name(key)) > 0; };
    const auto recipe = apply_model_recipe(*c, given);
    c->validate();  // every range checked before any data is read
    // The split file's rows name the images: a --data beside it would be recorded but not read.
    if (!c->data.empty() && !c->split_csv.empty())
      throw UserError("--data: not read with --split-file, whose rows name the images; give one of the two");
    if (!recipe.empty() && world_from_environment().is_main()) {
      std::string settings;
      for (const auto& s : recipe) settings += (settings.empty() ? "" : ", ") + s;
      std::cout << c->model << ": its own recipe where not set: " << settings << "\n";
    }
    TrainResult r = train_model(*c, *resume, !*quiet);
    if (!world_from_environment().is_main()) return;  // rank 0 speaks for the job
    std::cout << "run " << r.run_dir << ": " << r.epochs_run << " epochs in " << r.seconds << " s, best val macro-F1 "
              << r.best_val_f1 << " at epoch " << r.best_epoch + 1 << (r.early_stopped ? " (early stop)" : "") << "\n";
  });
}

}  // namespace leuko::cli
