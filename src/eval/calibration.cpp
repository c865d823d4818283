#include "eval/calibration.h"

#include <algorithm>
#include <cmath>

namespace leuko {

std::vector<float> softmax_rows(const std::vector<float>& logits, int k, double t) {
  std::vector<float> out(logits.size());
  for (size_t i = 0; i < logits.size(); i += static_cast<size_t>(k)) {
    double mx = *std::max_element(logits.begin() + static_cast<long>(i), logits.begin() + static_cast<long>(i) + k);
    double sum = 0;
    for (int c = 0; c < k; ++c) sum += std::exp((logits[i + c] - mx) / t);
    for (int c = 0; c < k; ++c) out[i + c] = static_cast<float>(std::exp((logits[i + c] - mx) / t) / sum);
  }
  return out;
}

double mean_nll(const std::vector<int>& labels, const std::vector<float>& logits, int k, double t) {
  double total = 0;
  for (size_t n = 0; n < labels.size(); ++n) {
    const float* row = logits.data() + n * static_cast<size_t>(k);
    double mx = *std::max_element(row, row + k);
    double sum = 0;
    for (int c = 0; c < k; ++c) sum += std::exp((row[c] - mx) / t);
    total += -((row[labels[n]] - mx) / t - std::log(sum));
  }
  return labels.empty() ? 0.0 : total / static_cast<double>(labels.size());
}

double fit_temperature(const std::vector<int>& labels, const std::vector<float>& logits, int k) {
  if (labels.empty()) return 1.0;
  double lo = std::log(0.05), hi = std::log(20.0);
  const double golden = (std::sqrt(5.0) - 1) / 2;
  double a = hi - golden * (hi - lo), b = lo + golden * (hi - lo);
  double fa = mean_nll(labels, logits, k, std::exp(a)), fb = mean_nll(labels, logits, k, std::exp(b));
  for (int it = 0; it < 80; ++it) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - golden * (hi - lo);
      fa = mean_nll(labels, logits, k, std::exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + golden * (hi - lo);
      fb = mean_nll(labels, logits, k, std::exp(b));
    }
  }
  return std::exp((lo + hi) / 2);
}

double expected_calibration_error(const std::vector<int>& labels, const std::vector<float>& probs, int k, int bins) {
  std::vector<double> conf_sum(static_cast<size_t>(bins), 0), acc_sum(static_cast<size_t>(bins), 0),
      count(static_cast<size_t>(bins), 0);
  for (size_t n = 0; n < labels.size(); ++n) {
    const float* row = probs.data() + n * static_cast<size_t>(k);
    int pred = static_cast<int>(std::max_element(row, row + k) - row);
    double conf = row[pred];
    int bin = std::min(bins - 1, static_cast<int>(conf * bins));
    conf_sum[static_cast<size_t>(bin)] += conf;
    acc_sum[static_cast<size_t>(bin)] += pred == labels[n] ? 1.0 : 0.0;
    count[static_cast<size_t>(bin)] += 1;
  }
  double ece = 0;
  for (int b = 0; b < bins; ++b)
    if (count[static_cast<size_t>(b)] > 0)
      ece += std::abs(acc_sum[static_cast<size_t>(b)] - conf_sum[static_cast<size_t>(b)]) / static_cast<double>(labels.size());
  return ece;
}

}  // namespace leuko
