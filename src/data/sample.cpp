#include "data/sample.h"

#include <algorithm>

namespace leuko {

int Dataset::class_index(const std::string& name) const {
  auto it = std::find(classes.begin(), classes.end(), name);
  return it == classes.end() ? kUnlabelled : static_cast<int>(it - classes.begin());
}

}  // namespace leuko
