// `leukoscope models`: every model × preset with its size (filled in by the model registry).
#include "cli/verbs.h"

#include <iostream>

namespace leuko::cli {

void add_models_verb(CLI::App& app) {
  auto* cmd = app.add_subcommand("models", "list every model x preset: parameters, GFLOPs, input size");
  cmd->callback([] { std::cout << "model registry not built yet\n"; });
}

}  // namespace leuko::cli
