#pragma once
// An option with a closed set of values (--optimizer adamw|sgd, "denoise": "nlm", ...) is an enum
// with one table of its names, declared beside the enum with LEUKO_CHOICES. The command line,
// the configuration readers and the JSON writers all go through that table, so a value is
// checked once, where it enters, and a bad one is refused before any work starts with the
// option (or file and key) and the accepted values.
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace leuko {

// Specialised by LEUKO_CHOICES(Enum, {Enum::A, "a"}, ...): the names in display order.
template <class E>
struct ChoiceNames;

template <class E>
const char* choice_name(E value) {
  for (const auto& [v, name] : ChoiceNames<E>::all())
    if (v == value) return name;
  return "?";
}

template <class E>
std::vector<std::string> choice_names() {
  std::vector<std::string> names;
  for (const auto& entry : ChoiceNames<E>::all()) names.emplace_back(entry.second);
  return names;
}

// "a, b or c" — how every error message lists the accepted values.
template <class E>
std::string choice_list() {
  const auto names = choice_names<E>();
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return text;
}

// `where` names the option or the file and key: "--amp", "configs/aria.json: training: amp".
template <class E>
E parse_choice(const std::string& text, const std::string& where) {
  for (const auto& [v, name] : ChoiceNames<E>::all())
    if (text == name) return v;
  throw UserError(where + ": '" + text + "' is not one of " + choice_list<E>());
}

}  // namespace leuko

#define LEUKO_CHOICES(Enum, ...)                                              \
  template <>                                                                 \
  struct ChoiceNames<Enum> {                                                  \
    static const std::vector<std::pair<Enum, const char*>>& all() {           \
      static const std::vector<std::pair<Enum, const char*>> names = {__VA_ARGS__}; \
      return names;                                                           \
    }                                                                         \
  }
