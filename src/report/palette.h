#pragma once
// One colour per model (by its position in results.models) and per ablation strategy, used by
// every plot and by the swatch beside the name in the HTML tables, so a reader matches a line
// to a row by colour alone. Okabe–Ito: distinguishable with the common colour-vision deficiencies.
#include <cstddef>
#include <string>

namespace leuko::report {

inline std::string series_colour(size_t index) {
  static const char* const kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                         "#E69F00", "#56B4E9", "#8C6D1F", "#000000"};
  return kColours[index % (sizeof kColours / sizeof kColours[0])];
}

// Ablation strategies are variants of one model, not models: they start further along the
// palette so that a strategy is not mistaken for the model drawn in the same colour elsewhere.
inline std::string strategy_colour(size_t index) { return series_colour(index + 3); }

}  // namespace leuko::report
