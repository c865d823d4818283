#include "run/run_dir.h"

#include <filesystem>
#include <set>

#include "common/json_text.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/json_reader.h"
#include "common/sha256.h"
#include "data/layouts.h"

namespace leuko {
namespace fs = std::filesystem;

RunDir::RunDir(std::string path) : path_(std::move(path)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
}

RunDir RunDir::existing(const std::string& path) {
  RunDir run(path);
  if (!fs::is_directory(path)) throw UserError(path + ": no such run folder");
  if (!run.has_config()) throw UserError(path + ": not a run folder (no config.json)");
  return run;
}

bool RunDir::has_config() const { return fs::exists(config_path()); }
bool RunDir::has_checkpoint() const { return fs::exists(last_checkpoint_path()); }
bool RunDir::has_weights() const { return fs::exists(best_weights_path()); }

RunRecord RunDir::read_config() const {
  return run_record_from_json(JsonReader(JsonReader::parse_file(config_path()), config_path()));
}

void RunDir::write_config(const RunRecord& record) const {
  write_file_atomically(config_path(), json_text(to_json(record), 2) + "\n");
}

std::vector<EpochRecord> RunDir::read_log() const {
  if (!fs::exists(log_path())) return {};
  return parse_training_log(read_file_to_string(log_path()), log_path());
}

void RunDir::write_log(const std::vector<EpochRecord>& log) const {
  std::string text;
  for (const auto& e : log) text += epoch_line(e) + "\n";
  write_file_atomically(log_path(), text);
}

bool RunDir::has_trust() const { return fs::exists(trust_path()) && fs::exists(feature_density_path()); }

TrustRecord RunDir::read_trust() const {
  return trust_record_from_json(JsonReader(JsonReader::parse_file(trust_path()), trust_path()));
}

void RunDir::write_trust(const TrustRecord& trust) const {
  write_file_atomically(trust_path(), json_text(to_json(trust), 2) + "\n");
}

Dataset RunDir::read_split() const {
  if (!fs::exists(split_path())) throw UserError(split_path() + ": missing (a run keeps the split it trained on)");
  return open_dataset(split_path(), DataFormat::Csv);
}

std::string RunDir::require_weights() const {
  if (!has_weights()) throw UserError(best_weights_path() + ": missing (the run finished no epoch)");
  return best_weights_path();
}

std::string RunDir::foreign_entry() const {
  // Named by the accessors above, so a file the run gains is known here too.
  std::set<std::string> own = {".lock"};
  for (const std::string& p : {config_path(), split_path(), log_path(), best_weights_path(), last_checkpoint_path(),
                               stamps_path(), trust_path(), feature_density_path(), eval().report_path(),
                               eval().predictions_path(), eval().robustness_path()})
    own.insert(fs::path(p).filename().string());
  std::error_code ec;
  for (fs::directory_iterator it(path_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!own.count(name) && name.find(".tmp.") == std::string::npos) return name;
  }
  return "";
}

std::string RunDir::weights_sha256() const { return has_weights() ? sha256_file(best_weights_path()) : ""; }

void RunDir::require_same_weights(const std::string& recorded, const std::string& file, const std::string& again) const {
  if (recorded.empty() || recorded == weights_sha256()) return;
  throw UserError(file + ": describes other weights than " + best_weights_path() +
                  " (trained further, or written for another run, since); run `leukoscope " + again + " " + path_ +
                  "` again");
}

std::string RunDir::stamp(const std::string& step) const {
  if (!fs::exists(stamps_path())) return "";
  // A torn or foreign stamp file only means "redo the step".
  auto j = nlohmann::json::parse(read_file_to_string(stamps_path()), nullptr, false);
  if (!j.is_object() || !j.contains(step) || !j[step].is_string()) return "";
  return j[step].get<std::string>();
}

void RunDir::set_stamp(const std::string& step, const std::string& value) const {
  nlohmann::json j = nlohmann::json::object();
  if (fs::exists(stamps_path())) {
    auto old = nlohmann::json::parse(read_file_to_string(stamps_path()), nullptr, false);
    if (old.is_object()) j = old;
  }
  j[step] = value;
  write_file_atomically(stamps_path(), json_text(j, 2) + "\n");
}

}  // namespace leuko
