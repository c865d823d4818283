#include "report/text_format.h"

#include <cmath>
#include <cctype>
#include <cstdio>

namespace leuko::report {

namespace {

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

}  // namespace

std::string format_metric(double value) {
  if (!std::isfinite(value)) return "n/a";
  return printf_string("%.3f", value);
}

std::string format_metric_ci(double value, const std::optional<std::pair<double, double>>& ci) {
  std::string text = format_metric(value);
  if (ci) text += " [" + format_metric(ci->first) + ", " + format_metric(ci->second) + "]";
  return text;
}

std::string format_p_value(double p) {
  if (!std::isfinite(p)) return "n/a";
  if (p < 1e-4) return "< 1e-4";
  if (p >= 0.9995) return "1.00";
  // %.3g would print 0.0001 as 1e-04; work out the decimals that keep three significant digits.
  int decimals = 2 - static_cast<int>(std::floor(std::log10(p)));
  if (decimals < 0) decimals = 0;
  char format[16];
  std::snprintf(format, sizeof format, "%%.%df", decimals);
  return printf_string(format, p);
}

std::string format_count_si(double count) {
  if (!std::isfinite(count)) return "n/a";
  if (count >= 1e9) return printf_string(count >= 1e10 ? "%.1f G" : "%.2f G", count / 1e9);
  if (count >= 1e6) return printf_string(count >= 1e7 ? "%.1f M" : "%.2f M", count / 1e6);
  if (count >= 1e3) return printf_string(count >= 1e4 ? "%.1f k" : "%.2f k", count / 1e3);
  return printf_string("%.0f", count);
}

std::string format_thousands(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string format_plain_number(double value) {
  if (!std::isfinite(value)) return "n/a";
  std::string text = printf_string("%.6f", value);
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escape_markdown(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': case '|': case '<': case '*': case '`': out += '\\'; out += c; break;
      case '\n': case '\r': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

std::string slug(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c))
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "x" : out;
}

}  // namespace leuko::report
