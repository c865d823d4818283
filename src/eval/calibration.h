#pragma once
// Whether a model's confidence can be taken at its word: expected calibration error (ECE, equal-
// width confidence bins) and temperature scaling (Guo et al., 2017) fitted on validation logits —
// one scalar T dividing the logits, chosen to minimise the negative log-likelihood.
#include <vector>

namespace leuko {

// ECE of the top-class confidence: sum over bins of |accuracy - mean confidence| x bin share.
double expected_calibration_error(const std::vector<int>& labels, const std::vector<float>& probs, int num_classes,
                                  int bins = 15);

// Softmax of logits / temperature, row-major n x K.
std::vector<float> softmax_rows(const std::vector<float>& logits, int num_classes, double temperature = 1.0);

// Mean negative log-likelihood of the labels under softmax(logits / T).
double mean_nll(const std::vector<int>& labels, const std::vector<float>& logits, int num_classes, double temperature);

// The T in [0.05, 20] minimising the NLL (golden-section search on log T; the NLL is convex in 1/T).
double fit_temperature(const std::vector<int>& labels, const std::vector<float>& logits, int num_classes);

}  // namespace leuko
