#pragma once
// The report's "findings": a few sentences generated from results.json that state only what the
// numbers show — the best model and whether its lead is significant, the hardest class and what
// it is confused with, the most damaging distortion, the most robust model.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace leuko {

std::vector<std::string> comparison_findings(const nlohmann::json& results);

}  // namespace leuko
