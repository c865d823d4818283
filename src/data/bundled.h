#pragma once
// The datasets the project ships in data/ (see data/SOURCE.md for their sources and licences).
// Every verb that reads a dataset defaults to the Aria subset — the one the cpu-demo trains on —
// except `data verify`, which checks C-NMC downloads and defaults to the C-NMC miniature.
#include <string>

namespace leuko {

// The bundled class-balanced subset of the Aria 4-subtype set (216 images).
std::string bundled_aria_dir();

// The bundled miniature of the C-NMC Kaggle tree.
std::string bundled_cnmc_dir();

// The manifest of the full Kaggle C-NMC tree (15,114 files), what `data verify` compares with.
std::string bundled_cnmc_manifest();

}  // namespace leuko
