#pragma once
#include <string>

namespace leuko {

// The folder holding the bundled sample data: $LEUKOSCOPE_DATA, else `data/` beside the
// executable's parent (build/../data), else the source tree it was built from.
std::string bundled_data_dir();

// The bundled C-NMC miniature (the default dataset of the data verbs).
std::string bundled_cnmc_dir();

// The bundled class-balanced subset of the Aria 4-subtype set.
std::string bundled_aria_dir();

// The shipped study configurations (configs/ beside data/).
std::string bundled_configs_dir();

std::string leukoscope_version();

// The git commit the build was configured at ("unknown" outside a checkout).
std::string leukoscope_git_commit();

}  // namespace leuko
