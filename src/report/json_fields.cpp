#include "report/json_fields.h"

#include "common/json_text.h"
#include "report/text_format.h"

namespace leuko::report {

std::string scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number()) return format_plain_number(value.get<double>());
  if (value.is_null()) return "";
  return json_text(value);
}

}  // namespace leuko::report
