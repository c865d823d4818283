#pragma once
// A run's log.jsonl as the tests read it: one JSON object per finished epoch.
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leuko::test {

inline std::vector<nlohmann::json> read_log(const std::string& run) {
  std::vector<nlohmann::json> out;
  std::ifstream in(run + "/log.jsonl");
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace leuko::test
