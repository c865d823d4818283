#include "study/ablation_align.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "common/error.h"
#include "run/eval_tables.h"

namespace leuko {

namespace {

// The baseline's images, labels and conditions: every strategy's rows are placed on them.
class Frame {
 public:
  Frame(std::vector<std::string> classes, const std::vector<AblationCondition>& conditions, const std::string& clean_csv)
      : classes_(std::move(classes)) {
    for (size_t c = 0; c < conditions.size(); ++c) condition_of_[{conditions[c].family, conditions[c].severity}] = c;
    for (const auto& row : read_prediction_table(clean_csv, {}).rows) {
      if (!image_of_.emplace(row.path, labels_.size()).second)
        throw UserError(clean_csv + ": scores image " + row.path + " twice");
      labels_.push_back(class_of(row.label, clean_csv));
    }
    if (labels_.empty()) throw UserError(clean_csv + ": no predictions");
  }

  const std::vector<std::string>& classes() const { return classes_; }
  const std::vector<int>& labels() const { return labels_; }

  int class_of(const std::string& name, const std::string& file) const {
    auto it = std::find(classes_.begin(), classes_.end(), name);
    if (it == classes_.end()) throw UserError(file + ": class '" + name + "' is not one of the baseline's");
    return static_cast<int>(it - classes_.begin());
  }

  // The index of a row's image, checking the baseline scored it with the same label.
  size_t image(const std::string& path, const std::string& label, const std::string& file) const {
    auto it = image_of_.find(path);
    if (it == image_of_.end()) throw UserError(file + ": scores an image the baseline did not: " + path);
    if (class_of(label, file) != labels_[it->second])
      throw UserError(file + ": labels " + path + " '" + label + "', the baseline '" +
                      classes_[static_cast<size_t>(labels_[it->second])] + "'");
    return it->second;
  }

  size_t condition(const RobustnessRow& row, const std::string& file) const {
    auto it = condition_of_.find({row.distortion, row.severity});
    if (it == condition_of_.end())
      throw UserError(file + ": " + row.distortion + " severity " + std::to_string(row.severity) +
                      " is not in the baseline's sweep");
    return it->second;
  }

 private:
  std::vector<std::string> classes_;
  std::vector<int> labels_;
  std::map<std::string, size_t> image_of_;
  std::map<std::pair<std::string, int>, size_t> condition_of_;
};

std::vector<AblationCondition> sweep_conditions(const EvalReport& eval, const std::string& eval_json) {
  std::vector<AblationCondition> out;
  std::set<std::pair<std::string, int>> seen;
  for (const auto& row : eval.robustness.value_or(std::vector<RobustnessRecord>{})) {
    out.push_back({row.distortion, row.severity, row.held_out});
    if (!seen.insert({row.distortion, row.severity}).second)
      throw UserError(eval_json + ": " + row.distortion + " severity " + std::to_string(row.severity) + " is listed twice");
  }
  if (out.empty()) throw UserError(eval_json + ": no robustness sweep (evaluate with --distortions)");
  return out;
}

std::vector<int> align_clean(const Frame& frame, const std::string& file) {
  std::vector<int> predicted(frame.labels().size(), -1);
  for (const auto& row : read_prediction_table(file, {}).rows)
    predicted[frame.image(row.path, row.label, file)] = frame.class_of(row.predicted, file);
  if (std::count(predicted.begin(), predicted.end(), -1))
    throw UserError(file + ": does not score every image the baseline scored");
  return predicted;
}

// Also records each image's patient into `patients`.
std::vector<std::vector<int>> align_sweep(const Frame& frame, const std::vector<AblationCondition>& conditions,
                                          const std::string& file, std::vector<std::string>& patients) {
  std::vector<std::vector<int>> predicted(conditions.size(), std::vector<int>(frame.labels().size(), -1));
  for (const auto& row : read_robustness_table(file)) {
    const size_t image = frame.image(row.path, row.label, file);
    predicted[frame.condition(row, file)][image] = frame.class_of(row.predicted, file);
    patients[image] = row.patient;
  }
  for (size_t c = 0; c < conditions.size(); ++c)
    if (std::count(predicted[c].begin(), predicted[c].end(), -1))
      throw UserError(file + ": does not score every image under " + conditions[c].family + " severity " +
                      std::to_string(conditions[c].severity));
  return predicted;
}

}  // namespace

AlignedAblation align_ablation(const std::vector<EvalFiles>& evals, size_t baseline) {
  AlignedAblation a;
  for (const auto& files : evals) a.evals.push_back(files.read_report());
  const EvalFiles& base = evals.at(baseline);
  a.conditions = sweep_conditions(a.evals[baseline], base.report_path());
  const Frame frame(a.evals[baseline].classes, a.conditions, base.predictions_path());
  a.classes = frame.classes();
  a.labels = frame.labels();
  a.patients.assign(a.labels.size(), "");
  for (const auto& files : evals)
    a.strategies.push_back({align_clean(frame, files.predictions_path()),
                            align_sweep(frame, a.conditions, files.robustness_path(), a.patients)});
  return a;
}

}  // namespace leuko
