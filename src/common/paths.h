#pragma once
#include <string>

namespace leuko {

// Where the installation's resources are (the datasets themselves: data/bundled.h).

// The folder holding the bundled sample data: $LEUKOSCOPE_DATA, else `data/` beside the
// executable's parent (build/../data), else the source tree it was built from.
std::string bundled_data_dir();

// The shipped study configurations (configs/ beside data/).
std::string bundled_configs_dir();

std::string leukoscope_version();

// The git commit the build was configured at ("unknown" outside a checkout).
std::string leukoscope_git_commit();

}  // namespace leuko
