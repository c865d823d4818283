#include "common/json_reader.h"

#include <algorithm>
#include <filesystem>

#include "common/atomic_file.h"

namespace leuko {

namespace {

// What was found, short enough for one line.
std::string shown(const nlohmann::json& v) {
  std::string text = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

}  // namespace

JsonReader::JsonReader(const nlohmann::json& object, std::string file, std::string path)
    : object_(object), file_(std::move(file)), path_(std::move(path)) {
  if (!object_.is_object())
    throw UserError(file_ + (path_.empty() ? "" : ": " + path_) + ": expected a JSON object, found " + shown(object_));
}

nlohmann::json JsonReader::parse(const std::string& text, const std::string& file, bool comments) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw UserError(file + ": empty file");
  try {
    return nlohmann::json::parse(text, nullptr, true, comments);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is where the text stopped making sense: a torn write ends there.
    throw UserError(file + ": not valid JSON (" + (e.byte >= text.size() ? std::string("truncated") : "syntax error at byte " + std::to_string(e.byte)) + ")");
  } catch (const nlohmann::json::exception& e) {
    // A number beyond double's range (1e999) is an out_of_range, not a parse_error (found by
    // fuzz/fuzz_run_config and three other targets).
    std::string what = e.what();
    const size_t detail = what.find("] ");
    throw UserError(file + ": not valid JSON (" + (detail == std::string::npos ? what : what.substr(detail + 2)) + ")");
  }
}

nlohmann::json JsonReader::parse_file(const std::string& file, bool comments) {
  if (!std::filesystem::exists(file)) throw UserError(file + ": missing");
  return parse(read_file_to_string(file), file, comments);
}

std::string JsonReader::where(const std::string& key) const {
  return file_ + ": " + (path_.empty() ? key : path_ + "." + key);
}

std::string JsonReader::here() const { return file_ + (path_.empty() ? "" : ": " + path_); }

bool JsonReader::has(const std::string& key) const {
  auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

const nlohmann::json& JsonReader::value(const std::string& key) const {
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) throw UserError(where(key) + ": missing");
  return *it;
}

void JsonReader::fail(const std::string& key, const std::string& expected, const nlohmann::json& found) const {
  throw UserError(where(key) + ": expected " + expected + ", found " + shown(found));
}

JsonReader JsonReader::object(const std::string& key) const {
  const auto& v = value(key);
  if (!v.is_object()) fail(key, "an object", v);
  return JsonReader(v, file_, path_.empty() ? key : path_ + "." + key);
}

std::optional<JsonReader> JsonReader::optional_object(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return object(key);
}

void JsonReader::require_known_keys(const std::vector<std::string>& known) const {
  for (auto it = object_.begin(); it != object_.end(); ++it)
    if (it.key().rfind('_', 0) != 0 && std::find(known.begin(), known.end(), it.key()) == known.end())
      throw UserError(where(it.key()) + ": unknown key");
}

}  // namespace leuko
