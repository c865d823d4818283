#include "run/training_log.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "common/json_reader.h"

namespace leuko {

namespace {

// Each field once, by its log.jsonl name, in the order of the README's contract.
const std::vector<std::pair<const char*, double EpochRecord::*>>& measured_fields() {
  static const std::vector<std::pair<const char*, double EpochRecord::*>> fields = {
      {"lr", &EpochRecord::lr},           {"train_loss", &EpochRecord::train_loss},
      {"val_loss", &EpochRecord::val_loss}, {"val_acc", &EpochRecord::val_acc},
      {"val_f1_macro", &EpochRecord::val_f1_macro}, {"seconds", &EpochRecord::seconds},
      {"img_per_s", &EpochRecord::img_per_s}};
  return fields;
}

}  // namespace

std::string epoch_line(const EpochRecord& e) {
  nlohmann::json j = {{"epoch", e.epoch}};
  for (const auto& [key, field] : measured_fields()) j[key] = e.*field;
  j["collective_s"] = e.collective_seconds;
  j["loader_wait_s"] = e.loader_wait_seconds;
  return j.dump();
}

std::vector<EpochRecord> parse_training_log(const std::string& text, const std::string& file) {
  std::vector<EpochRecord> log;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = file + ":" + std::to_string(number);
    const JsonReader j(JsonReader::parse(line, where), where);
    EpochRecord e;
    e.epoch = j.get<int>("epoch");
    for (const auto& [key, field] : measured_fields()) e.*field = j.get<double>(key);
    e.collective_seconds = j.get_or<double>("collective_s", 0);  // logs before data parallelism lack it
    e.loader_wait_seconds = j.get_or<double>("loader_wait_s", 0);  // and logs before 2026-12-01 this
    log.push_back(e);
  }
  return log;
}

}  // namespace leuko
