#pragma once
// Whole-number options checked where they enter, in one line: "--batch: must be at least 1, got 0".
// CLI11's PositiveNumber printed its 309-digit upper bound for 0 and left sizes unbounded (a
// 100000-pixel bench image asked for 1.9 TB); its Range let 4,096 threads start on 2 cores.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

namespace leuko::cli {

// `least`..`most`; `why_most` (e.g. " (four per core)") follows the bound in the message.
inline CLI::Validator whole_number(int64_t least, int64_t most, const std::string& why_most = "") {
  return CLI::Validator(
      [least, most, why_most](std::string& text) -> std::string {
        int64_t n = 0;
        const char* end = text.data() + text.size();
        auto [stop, ec] = std::from_chars(text.data(), end, n);
        const std::string range = std::to_string(least) + " to " + std::to_string(most);
        if (ec == std::errc::result_out_of_range) n = text[0] == '-' ? least - 1 : most + 1;  // 20 digits
        else if (ec != std::errc() || stop != end) return "must be a whole number from " + range + ", got '" + text + "'";
        if (n < least) return "must be at least " + std::to_string(least) + ", got " + text;
        if (n > most) return "must be at most " + std::to_string(most) + why_most + ", got " + text;
        return "";
      },
      std::to_string(least) + ".." + std::to_string(most), "whole number");
}

// Threads beyond four per core only add the cost of starting them; 0 = all cores where allowed.
inline CLI::Validator thread_count(int64_t least) {
  const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  return whole_number(least, 4 * cores, " (four per core of this machine)");
}

}  // namespace leuko::cli
