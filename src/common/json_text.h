#pragma once
// JSON text that can always be written. File names and labels are bytes, not UTF-8 (a folder
// copied from an old Windows share holds Latin-1 names), and nlohmann's dump() throws
// "invalid UTF-8 byte" on them -- ending a scan, a study or a run without naming the file. Every
// JSON that may carry a path, a class name or a user's text is printed through here: invalid
// bytes become U+FFFD, the rest of the name stays readable.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace leuko {

// `indent` as in nlohmann::json::dump: -1 = one line, 2 = pretty.
std::string json_text(const nlohmann::json& value, int indent = -1);

}  // namespace leuko
