#include "data/bundled.h"

#include "common/paths.h"

namespace leuko {

std::string bundled_aria_dir() { return bundled_data_dir() + "/aria-mini"; }

std::string bundled_cnmc_dir() { return bundled_data_dir() + "/cnmc-mini/C-NMC_Leukemia"; }

std::string bundled_cnmc_manifest() { return bundled_data_dir() + "/cnmc-kaggle-manifest.tsv"; }

}  // namespace leuko
