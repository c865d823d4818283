#include "eval/uncertainty.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

#include "eval/calibration.h"

namespace leuko {

namespace {

void require_valid_logits(const std::vector<float>& logits, int k, double temperature, int min_classes) {
  if (k < min_classes)
    throw std::invalid_argument("uncertainty: needs at least " + std::to_string(min_classes) + " classes");
  if (logits.size() % static_cast<size_t>(k) != 0)
    throw std::invalid_argument("uncertainty: logits are not rows of " + std::to_string(k) + " classes");
  if (!(temperature > 0) || !std::isfinite(temperature))
    throw std::invalid_argument("uncertainty: temperature must be a positive finite number");
  if (!std::all_of(logits.begin(), logits.end(), [](float v) { return std::isfinite(v); }))
    throw std::invalid_argument("uncertainty: non-finite logit (NaN or infinity)");
}

// One value per row of the softmax probabilities: the rows sorted descending, handed to `of_row`.
std::vector<float> per_probability_row(const std::vector<float>& logits, int k, double temperature,
                                       const std::function<float(const std::vector<float>&)>& of_row) {
  const std::vector<float> probs = softmax_rows(logits, k, temperature);
  std::vector<float> out(probs.size() / static_cast<size_t>(k));
  std::vector<float> row(static_cast<size_t>(k));
  for (size_t i = 0; i < out.size(); ++i) {
    std::copy_n(probs.begin() + static_cast<long>(i * static_cast<size_t>(k)), k, row.begin());
    std::sort(row.begin(), row.end(), std::greater<float>());
    out[i] = of_row(row);
  }
  return out;
}

}  // namespace

std::vector<float> max_softmax_probability(const std::vector<float>& logits, int k, double temperature) {
  require_valid_logits(logits, k, temperature, 1);
  return per_probability_row(logits, k, temperature, [](const std::vector<float>& sorted) { return sorted[0]; });
}

std::vector<float> softmax_margin(const std::vector<float>& logits, int k, double temperature) {
  require_valid_logits(logits, k, temperature, 2);
  return per_probability_row(logits, k, temperature,
                             [](const std::vector<float>& sorted) { return sorted[0] - sorted[1]; });
}

std::vector<float> negative_energy(const std::vector<float>& logits, int k, double temperature) {
  require_valid_logits(logits, k, temperature, 1);
  std::vector<float> out(logits.size() / static_cast<size_t>(k));
  for (size_t i = 0; i < out.size(); ++i) {
    const float* row = logits.data() + i * static_cast<size_t>(k);
    // Shift by the max so exp never overflows: T * lse(z / T) = max + T * log sum exp((z - max) / T).
    const double mx = *std::max_element(row, row + k);
    double sum = 0;
    for (int c = 0; c < k; ++c) sum += std::exp((row[c] - mx) / temperature);
    out[i] = static_cast<float>(mx + temperature * std::log(sum));
  }
  return out;
}

}  // namespace leuko
