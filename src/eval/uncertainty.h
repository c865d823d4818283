#pragma once
// Per-image confidence scores from a classifier's logits, for deciding when not to trust a
// prediction. Every score follows one convention: HIGHER = MORE TRUSTWORTHY (more
// in-distribution-like), so every threshold reads "flag the image when score < threshold".
//
// - Maximum softmax probability (MSP; Hendrycks & Gimpel, "A Baseline for Detecting Misclassified
//   and Out-of-Distribution Examples in Neural Networks", ICLR 2017), at a temperature T so that
//   the calibrated T of fit_temperature (calibration.h) can be used.
// - Softmax margin: top-1 minus top-2 probability at T — with more than two classes it tells "two
//   classes compete" (small margin) apart from "the rest share the remainder" (same MSP, larger margin).
// - Negative energy, -E(x) = T * logsumexp(logits / T) (Liu et al., "Energy-based
//   Out-of-distribution Detection", NeurIPS 2020). The paper's energy E(x) is LOWER for
//   in-distribution inputs; we report its negation so that higher = more trustworthy like the rest.
//   It is not bounded: only its ranking (and thresholds chosen on the same model) mean anything.
//
// Logits are row-major n x K floats, as everywhere in eval/. The scores are floats computed in
// double; note that MSP is read from softmax_rows (float), so MSPs within ~6e-8 of 1 tie at 1.
// Every function throws std::invalid_argument for K < 1 (K < 2 for the margin), a logits size
// that is not a multiple of K, a temperature that is not a positive finite number, or any
// non-finite logit (a NaN would otherwise pass silently through max/argmax as an arbitrary score).
#include <vector>

namespace leuko {

// Probability of the predicted (top) class under softmax(logits / T); in [1/K, 1].
std::vector<float> max_softmax_probability(const std::vector<float>& logits, int num_classes, double temperature = 1.0);

// Top-1 minus top-2 probability under softmax(logits / T); in [0, 1].
std::vector<float> softmax_margin(const std::vector<float>& logits, int num_classes, double temperature = 1.0);

// -E(x) = T * logsumexp(logits / T), computed stably in double; in [max logit, max logit + T log K].
std::vector<float> negative_energy(const std::vector<float>& logits, int num_classes, double temperature = 1.0);

}  // namespace leuko
