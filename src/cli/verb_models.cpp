// `leukoscope models`: every model x preset with its parameter count, forward cost and input size.
#include "cli/verbs.h"
#include "cli/whole_number.h"

#include <cstdio>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "models/registry.h"

namespace leuko::cli {
namespace {

// A whole number of classes, 1..kMaxClasses ("--classes: must be at least 1, got 0").
CLI::Validator class_count() { return whole_number(1, kMaxClasses); }

}  // namespace

void add_models_verb(CLI::App& app) {
  struct Options {
    int64_t classes = 2;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("models", "list every model x preset: parameters, GFLOPs, input size");
  cmd->add_option("--classes", opt->classes, "classes of the head counted in the parameters (default 2)")->check(class_count());
  cmd->add_flag("--json", opt->json, "print a JSON array");
  cmd->footer("GFLOPs are forward multiply-accumulates (conv, linear, attention) for one image at the\n"
              "input size, torchvision's convention (ResNet-50 @224 = 4.09).");
  cmd->callback([opt] {
    auto specs = list_models(opt->classes);
    if (opt->json) {
      auto arr = nlohmann::json::array();
      for (const auto& s : specs)
        arr.push_back({{"model", s.name}, {"preset", s.preset}, {"params", s.params}, {"gflops", s.gflops},
                       {"input_size", s.input_size}, {"classes", s.num_classes}, {"description", s.description}});
      std::cout << arr.dump(2) << "\n";
      return;
    }
    std::printf("%-11s %-10s %13s %8s %6s  %s\n", "model", "preset", "params", "GFLOPs", "input", "architecture");
    for (const auto& s : specs)
      std::printf("%-11s %-10s %13lld %8.3f %6lld  %s\n", s.name.c_str(), s.preset.c_str(),
                  static_cast<long long>(s.params), s.gflops, static_cast<long long>(s.input_size), s.description.c_str());
    std::printf("(%lld classes; GFLOPs = forward multiply-accumulates per image at the input size)\n",
                static_cast<long long>(opt->classes));
  });
}

}  // namespace leuko::cli
