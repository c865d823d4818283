#pragma once
// The report's "findings": a few sentences generated from results.json that state only what the
// numbers show — the best model and whether its lead is significant, the hardest class and what
// it is confused with, the most damaging distortion, the most robust model; and for the ablation,
// the best strategy under distortion, whether it beats the baseline and the runner-up, and at
// what cost on clean images and on the held-out families.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace leuko {

std::vector<std::string> comparison_findings(const nlohmann::json& results);

// From an ablation summary (study/ablation_summary.h) without its "findings".
std::vector<std::string> ablation_findings(const nlohmann::json& ablation);

}  // namespace leuko
