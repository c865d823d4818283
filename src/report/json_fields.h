#pragma once
// Tolerant reads of results.json: every key but a handful is optional, and a report must come
// out of a partial or older file. A missing key, a null, or a value of the wrong type all read
// as "absent" and the part of the report that needs it is skipped.
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace leuko::report {

using nlohmann::json;

inline const json* field(const json& object, const std::string& key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

inline const json* object_field(const json& object, const std::string& key) {
  const json* value = field(object, key);
  return value && value->is_object() ? value : nullptr;
}

inline const json* array_field(const json& object, const std::string& key) {
  const json* value = field(object, key);
  return value && value->is_array() ? value : nullptr;
}

inline std::optional<double> number_field(const json& object, const std::string& key) {
  const json* value = field(object, key);
  if (!value || !value->is_number()) return std::nullopt;
  return value->get<double>();
}

inline std::optional<std::string> text_field(const json& object, const std::string& key) {
  const json* value = field(object, key);
  if (!value || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

inline std::optional<bool> bool_field(const json& object, const std::string& key) {
  const json* value = field(object, key);
  if (!value || !value->is_boolean()) return std::nullopt;
  return value->get<bool>();
}

// A [lo, hi] pair, e.g. a 95 % confidence interval.
inline std::optional<std::pair<double, double>> interval_field(const json& object, const std::string& key) {
  const json* value = field(object, key);
  if (!value || !value->is_array() || value->size() != 2 || !(*value)[0].is_number() || !(*value)[1].is_number())
    return std::nullopt;
  return std::make_pair((*value)[0].get<double>(), (*value)[1].get<double>());
}

// Any scalar as display text: strings verbatim, numbers trimmed, booleans as yes/no.
std::string scalar_text(const json& value);

}  // namespace leuko::report
