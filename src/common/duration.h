#pragma once
#include <string>

namespace leuko {

// "2.1s", "42s", "3m44s", "1h02m05s" ("n/a" for negative or non-finite): wall times here span
// four orders of magnitude, from a tiny preset's epoch to a paper study. Progress lines, study
// step lines and the report all write durations this way.
std::string format_duration(double seconds);

}  // namespace leuko
