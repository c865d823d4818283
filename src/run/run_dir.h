#pragma once
// A run folder, the one owner of its files — what `train` writes and `evaluate`, `compare`,
// `study` (and `predict`) read:
//   RUN/config.json       RunRecord: every option used, classes, normalisation, data, versions, outcome
//   RUN/split.csv         the split trained on (path,label,patient,group,split)
//   RUN/log.jsonl         one EpochRecord per finished epoch
//   RUN/best.safetensors  weights of the best validation macro-F1 (torchvision/timm names)
//   RUN/last.ckpt         weights + optimiser + epoch + RNG: what --resume continues from
//   RUN/eval.json         EvalReport, beside it eval-predictions.csv and eval-robustness.csv
//   RUN/trust.json        TrustRecord: temperature and review thresholds (`calibrate`), beside it
//   RUN/feature-density.safetensors  class means and shared precision of the penultimate features
//   RUN/study-step.json   the study's stamps of the inputs each step used
// Typed structs in, typed structs out; every file is written atomically; every read problem is a
// UserError whose message starts with the file.
#include <string>
#include <vector>

#include "data/sample.h"
#include "run/eval_files.h"
#include "run/run_record.h"
#include "run/training_log.h"
#include "run/trust_record.h"

namespace leuko {

class RunDir {
 public:
  explicit RunDir(std::string path);  // no I/O: a run about to be trained need not exist yet

  // A run that `train` has started: UserError "PATH: not a run folder (no config.json)" otherwise.
  static RunDir existing(const std::string& path);

  const std::string& path() const { return path_; }
  std::string config_path() const { return path_ + "/config.json"; }
  std::string split_path() const { return path_ + "/split.csv"; }
  std::string log_path() const { return path_ + "/log.jsonl"; }
  std::string best_weights_path() const { return path_ + "/best.safetensors"; }
  std::string last_checkpoint_path() const { return path_ + "/last.ckpt"; }
  std::string stamps_path() const { return path_ + "/study-step.json"; }
  std::string trust_path() const { return path_ + "/trust.json"; }
  std::string feature_density_path() const { return path_ + "/feature-density.safetensors"; }
  EvalFiles eval() const { return EvalFiles(path_); }

  bool has_config() const;

  // The first entry of an existing folder that is not one of a run's own files (nor an
  // interrupted write's `*.tmp.*`), "" when there is none: a folder `train` may start a run in.
  std::string foreign_entry() const;
  bool has_checkpoint() const;
  bool has_weights() const;

  RunRecord read_config() const;
  void write_config(const RunRecord& record) const;

  std::vector<EpochRecord> read_log() const;  // empty when the run finished no epoch yet
  void write_log(const std::vector<EpochRecord>& log) const;

  bool has_trust() const;
  TrustRecord read_trust() const;
  void write_trust(const TrustRecord& trust) const;

  // The split trained on, labels in the split file's own (sorted) class order.
  Dataset read_split() const;

  // The weights to score: UserError when the run finished no epoch.
  std::string require_weights() const;

  // sha256 of best.safetensors ("" when there is none): what eval.json and trust.json record of the
  // weights they describe, so a file left from before the run trained on is known as stale.
  std::string weights_sha256() const;

  // UserError when `recorded` (an eval.json's or trust.json's weights_sha256) names other weights
  // than the run's best.safetensors now; "" (files before the field existed) passes.
  void require_same_weights(const std::string& recorded, const std::string& file, const std::string& again) const;

  // The study's record of what each step of this run was made from ("" when none).
  std::string stamp(const std::string& step) const;
  void set_stamp(const std::string& step, const std::string& value) const;

 private:
  std::string path_;
};

}  // namespace leuko
