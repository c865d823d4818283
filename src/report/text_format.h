#pragma once
// How numbers and untrusted text look in the report. One place, so the HTML and the Markdown
// twin can never disagree on a digit, and every string that came from a results file (class
// names, paths, findings) passes through an escaper before it reaches a writer's output.
#include <optional>
#include <string>
#include <utility>

#include "common/duration.h"  // format_duration, also used by the report

namespace leuko::report {

// Metrics (accuracy, F1, ECE, ...): always 3 decimals, so columns line up.
std::string format_metric(double value);

// "0.986 [0.973, 0.996]"; the bare value when there is no interval.
std::string format_metric_ci(double value, const std::optional<std::pair<double, double>>& ci);

// Three significant digits ("0.0123", "0.727", "1.00"); "< 1e-4" below that, where the exact
// digits of an exact test are noise.
std::string format_p_value(double p);

// 93988 -> "94.0 k", 2015268 -> "2.02 M".
std::string format_count_si(double count);

// 2279 -> "2,279".
std::string format_thousands(long long value);

// Trims trailing zeros from a plain decimal ("0.05", "128", "0.415").
std::string format_plain_number(double value);

std::string escape_html(const std::string& text);

// Markdown inline text and table cells: '|' would end the cell, '<' would open raw HTML, '*' and
// '`' would start emphasis or code; a newline would end the table row.
std::string escape_markdown(const std::string& text);

// A name safe as a file stem and an HTML id: lower-case letters, digits and '-'.
std::string slug(const std::string& name);

}  // namespace leuko::report
