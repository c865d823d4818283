#pragma once
// Every batch of one epoch of a loader.
#include <vector>

#include "data/torch/batch_loader.h"

namespace leuko::test {

inline std::vector<Batch> epoch(BatchLoader& loader, int e) {
  loader.start_epoch(e);
  std::vector<Batch> out;
  while (auto b = loader.next()) out.push_back(std::move(*b));
  return out;
}

}  // namespace leuko::test
