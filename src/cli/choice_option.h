#pragma once
// An enum option on the command line, through its choice table (common/choice.h): the help
// lists the accepted words and the default, and a bad word is refused at parse time with one
// line naming the option and the accepted values — before any work starts.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/choice.h"

namespace leuko::cli {

inline std::string first_flag(const std::string& flags) { return flags.substr(0, flags.find(',')); }

inline std::string joined_names(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : " | ") + n;
  return text;
}

template <class E>
CLI::Option* add_choice(CLI::App* cmd, const std::string& flags, E& target, const std::string& help) {
  const std::string flag = first_flag(flags);
  auto* option = cmd->add_option_function<std::string>(
      flags, [&target, flag](const std::string& text) { target = parse_choice<E>(text, flag); },
      help + " (" + joined_names(choice_names<E>()) + "; default " + choice_name(target) + ")");
  option->type_name("WORD");
  return option;
}

// No default: unset means "decided by the verb" (said in `help`).
template <class E>
CLI::Option* add_choice(CLI::App* cmd, const std::string& flags, std::optional<E>& target, const std::string& help) {
  const std::string flag = first_flag(flags);
  auto* option = cmd->add_option_function<std::string>(
      flags, [&target, flag](const std::string& text) { target = parse_choice<E>(text, flag); },
      help + " (" + joined_names(choice_names<E>()) + ")");
  option->type_name("WORD");
  return option;
}

}  // namespace leuko::cli
