#pragma once
// `evaluate --trust [--ood DIR...]`: how far a calibrated run can be trusted on the images scored —
// its stored review threshold applied (coverage and error among the accepted cells), the
// risk-coverage curve of the confidence score, and, given out-of-distribution images (another
// dataset the run never saw), how well each trust score tells them apart (AUROC, FPR at 95 % TPR)
// and how many of them the review rule sets aside. Calibrates the run first when it has not been.
#include <string>
#include <vector>

#include "data/sample.h"
#include "data/torch/batch_loader.h"
#include "eval/torch/trained_model.h"
#include "run/eval_report.h"

namespace leuko {

// `distorted_severity` > 0: also each distortion family of the robustness sweep at that severity
// applied to `samples`, every family scored as one more out-of-distribution set.
TrustEvaluation evaluate_trust(ScoringSession& session, const std::vector<Sample>& samples, const LoaderOptions& loader,
                               const std::vector<std::string>& ood_inputs, const ScoringOptions& scoring,
                               int distorted_severity = 0);

}  // namespace leuko
