#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/json_reader.h"

namespace leuko {

static double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

std::vector<int> argmax_rows(const std::vector<float>& probs, int k) {
  std::vector<int> out(probs.size() / static_cast<size_t>(k));
  for (size_t i = 0; i < out.size(); ++i) {
    const float* row = probs.data() + i * static_cast<size_t>(k);
    out[i] = static_cast<int>(std::max_element(row, row + k) - row);
  }
  return out;
}

double binary_auroc(const std::vector<float>& scores, const std::vector<bool>& positive) {
  // A NaN score (a model whose weights diverged) ranks lowest and ties with other NaNs: NaN
  // compares false with everything, which would break the sort's ordering and stop the tie loop
  // from ever advancing.
  auto key = [&](size_t i) { return std::isnan(scores[i]) ? -std::numeric_limits<float>::infinity() : scores[i]; };
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  double rank_sum = 0, n_pos = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    while (j < order.size() && key(order[j]) == key(order[i])) ++j;
    double mid_rank = (static_cast<double>(i) + static_cast<double>(j) + 1.0) / 2.0;  // 1-based average rank
    for (size_t t = i; t < j; ++t)
      if (positive[order[t]]) {
        rank_sum += mid_rank;
        n_pos += 1;
      }
    i = j;
  }
  double n_neg = static_cast<double>(scores.size()) - n_pos;
  if (n_pos == 0 || n_neg == 0) return 0.5;
  return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg);
}

static Metrics from_confusion(const std::vector<int>& labels, const std::vector<int>& predicted, int k) {
  if (labels.size() != predicted.size()) throw std::invalid_argument("labels and predictions differ in length");
  Metrics m;
  m.n = static_cast<long>(labels.size());
  m.confusion.assign(static_cast<size_t>(k), std::vector<long>(static_cast<size_t>(k), 0));
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= k || predicted[i] < 0 || predicted[i] >= k)
      throw std::invalid_argument("label or prediction outside [0, classes)");
    m.confusion[static_cast<size_t>(labels[i])][static_cast<size_t>(predicted[i])]++;
  }
  m.per_class.resize(static_cast<size_t>(k));
  long correct = 0;
  int present = 0;
  for (int c = 0; c < k; ++c) {
    long tp = m.confusion[c][c], fn = 0, fp = 0;
    for (int o = 0; o < k; ++o)
      if (o != c) {
        fn += m.confusion[c][o];
        fp += m.confusion[o][c];
      }
    long tn = m.n - tp - fn - fp;
    ClassMetrics& pc = m.per_class[static_cast<size_t>(c)];
    pc.support = tp + fn;
    pc.precision = ratio(tp, tp + fp);
    pc.recall = ratio(tp, tp + fn);
    pc.f1 = ratio(2.0 * tp, 2.0 * tp + fp + fn);
    pc.specificity = ratio(tn, tn + fp);
    correct += tp;
    if (pc.support > 0) {
      ++present;
      m.precision_macro += pc.precision;
      m.recall_macro += pc.recall;
      m.f1_macro += pc.f1;
      m.specificity_macro += pc.specificity;
      m.f1_weighted += pc.f1 * static_cast<double>(pc.support);
    }
  }
  m.accuracy = ratio(correct, m.n);
  m.precision_macro = ratio(m.precision_macro, present);
  m.recall_macro = ratio(m.recall_macro, present);
  m.balanced_accuracy = m.recall_macro;
  m.f1_macro = ratio(m.f1_macro, present);
  m.specificity_macro = ratio(m.specificity_macro, present);
  m.f1_weighted = ratio(m.f1_weighted, m.n);
  m.auroc_macro = 0.5;
  return m;
}

Metrics metrics_from_predictions(const std::vector<int>& labels, const std::vector<int>& predicted, int k) {
  return from_confusion(labels, predicted, k);
}

Metrics compute_metrics(const std::vector<int>& labels, const std::vector<float>& probs, int k) {
  if (probs.size() != labels.size() * static_cast<size_t>(k))
    throw std::invalid_argument("probabilities must be labels x classes");
  Metrics m = from_confusion(labels, argmax_rows(probs, k), k);
  double sum = 0;
  int counted = 0;
  std::vector<float> scores(labels.size());
  std::vector<bool> positive(labels.size());
  for (int c = 0; c < k; ++c) {
    for (size_t i = 0; i < labels.size(); ++i) {
      scores[i] = probs[i * static_cast<size_t>(k) + static_cast<size_t>(c)];
      positive[i] = labels[i] == c;
    }
    long pos = m.per_class[static_cast<size_t>(c)].support;
    double auc = binary_auroc(scores, positive);
    m.per_class[static_cast<size_t>(c)].auroc = auc;
    if (pos > 0 && pos < m.n) {
      sum += auc;
      ++counted;
    }
  }
  m.auroc_macro = counted ? sum / counted : 0.5;
  return m;
}

namespace {

// Each scalar once, by its eval.json name: what the writer, the reader and metric_by_name share.
const std::vector<std::pair<std::string, double Metrics::*>>& scalar_fields() {
  static const std::vector<std::pair<std::string, double Metrics::*>> fields = {
      {"accuracy", &Metrics::accuracy},          {"balanced_accuracy", &Metrics::balanced_accuracy},
      {"precision_macro", &Metrics::precision_macro}, {"recall_macro", &Metrics::recall_macro},
      {"f1_macro", &Metrics::f1_macro},          {"f1_weighted", &Metrics::f1_weighted},
      {"specificity_macro", &Metrics::specificity_macro}, {"auroc_macro", &Metrics::auroc_macro}};
  return fields;
}

const std::vector<std::pair<std::string, double ClassMetrics::*>>& class_fields() {
  static const std::vector<std::pair<std::string, double ClassMetrics::*>> fields = {
      {"precision", &ClassMetrics::precision}, {"recall", &ClassMetrics::recall}, {"f1", &ClassMetrics::f1},
      {"specificity", &ClassMetrics::specificity}, {"auroc", &ClassMetrics::auroc}};
  return fields;
}

}  // namespace

nlohmann::json metrics_to_json(const Metrics& m, const std::vector<std::string>& names) {
  nlohmann::json j;
  j["n"] = m.n;
  j["classes"] = names;
  for (const auto& [name, field] : scalar_fields()) j[name] = m.*field;
  nlohmann::json per = nlohmann::json::object();
  for (size_t c = 0; c < m.per_class.size(); ++c) {
    nlohmann::json one = {{"support", m.per_class[c].support}};
    for (const auto& [name, field] : class_fields()) one[name] = m.per_class[c].*field;
    per[c < names.size() ? names[c] : std::to_string(c)] = one;
  }
  j["per_class"] = per;
  j["confusion_matrix"] = m.confusion;
  return j;
}

Metrics metrics_from_json(const JsonReader& j, const std::vector<std::string>& classes) {
  Metrics m;
  m.n = j.get<long>("n");
  for (const auto& [name, field] : scalar_fields()) m.*field = j.get<double>(name);
  const JsonReader per = j.object("per_class");
  for (const auto& name : classes) {
    const JsonReader c = per.object(name);
    ClassMetrics pc;
    for (const auto& [key, field] : class_fields()) pc.*field = c.get<double>(key);
    pc.support = c.get<long>("support");
    m.per_class.push_back(pc);
  }
  m.confusion = j.get<std::vector<std::vector<long>>>("confusion_matrix");
  auto square = m.confusion.size() == classes.size();
  for (const auto& row : m.confusion) square &= row.size() == classes.size();
  if (!square)
    throw UserError(j.where("confusion_matrix") + ": needs one row per class and one column per class (" +
                    std::to_string(classes.size()) + ")");
  return m;
}

double metric_by_name(const Metrics& m, const std::string& name) {
  for (const auto& [known, field] : scalar_fields())
    if (known == name) return m.*field;
  throw std::out_of_range("unknown metric " + name);
}

}  // namespace leuko
