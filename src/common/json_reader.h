#pragma once
// Strict, typed reads of a JSON object that know where the object came from, so every problem
// becomes one UserError naming the file and the key — "RUN/config.json: config.epochs: expected
// a whole number, found 16.7" — instead of nlohmann's exception text. Whole numbers must be
// whole and in range (4294967297 is not an int, 16.7 is not a batch size); enums go through
// their choice table (common/choice.h).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/choice.h"

namespace leuko {

class JsonReader {
 public:
  // `file` is what the messages start with; `path` the dotted key path inside it ("" = the root).
  JsonReader(const nlohmann::json& object, std::string file, std::string path = "");

  // Parses `text` as one JSON document (comments allowed when `comments`); UserError naming `file`.
  static nlohmann::json parse(const std::string& text, const std::string& file, bool comments = false);
  // The same for a file on disk ("FILE: missing" when it is not there).
  static nlohmann::json parse_file(const std::string& file, bool comments = false);

  bool has(const std::string& key) const;
  const nlohmann::json& raw() const { return object_; }
  const std::string& file() const { return file_; }
  std::string where(const std::string& key) const;  // "file: path.key"
  std::string here() const;                          // "file: path" (the object itself)

  JsonReader object(const std::string& key) const;  // required
  std::optional<JsonReader> optional_object(const std::string& key) const;

  template <class T>
  T get(const std::string& key) const {
    return convert<T>(value(key), key);
  }

  template <class T>
  T get_or(const std::string& key, T fallback) const {
    return has(key) ? get<T>(key) : fallback;
  }

  template <class E>
  E choice(const std::string& key) const {
    return parse_choice<E>(get<std::string>(key), where(key));
  }

  template <class E>
  E choice_or(const std::string& key, E fallback) const {
    return has(key) ? choice<E>(key) : fallback;
  }

  // Refuses keys outside `known` (a misspelt key would silently fall back to a default);
  // keys starting with "_" ("_comment") are allowed.
  void require_known_keys(const std::vector<std::string>& known) const;

 private:
  const nlohmann::json& value(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& expected, const nlohmann::json& found) const;

  template <class T>
  T convert(const nlohmann::json& v, const std::string& key) const {
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) fail(key, "true or false", v);
      return v.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
      if (!v.is_number_integer()) fail(key, "a whole number", v);
      if (v.is_number_unsigned()) {
        const auto u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(std::numeric_limits<T>::max())) fail(key, "a whole number in range", v);
        return static_cast<T>(u);
      }
      const auto i = v.get<int64_t>();
      if constexpr (std::is_unsigned_v<T>) {
        if (i < 0) fail(key, "a whole number of at least 0", v);
      } else {
        if (i < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
            i > static_cast<int64_t>(std::numeric_limits<T>::max()))
          fail(key, "a whole number in range", v);
      }
      return static_cast<T>(i);
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!v.is_number()) fail(key, "a number", v);
      return v.get<T>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) fail(key, "a string", v);
      return v.get<std::string>();
    } else {  // std::vector of one of the above
      if (!v.is_array()) fail(key, "a list", v);
      T out;
      for (size_t i = 0; i < v.size(); ++i)
        out.push_back(convert<typename T::value_type>(v[i], key + "[" + std::to_string(i) + "]"));
      return out;
    }
  }

  nlohmann::json object_;  // a copy: a reader may outlive the document it was made from
  std::string file_, path_;
};

}  // namespace leuko
