// `leukoscope data scan | verify | split`: look at a dataset before training on it.
#include "cli/verbs.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "common/parallel.h"
#include "common/paths.h"
#include "data/layouts.h"
#include "data/scan.h"

namespace leuko::cli {

static void add_scan(CLI::App& data) {
  struct Options {
    std::string dir;
    std::string format = "auto";
    bool json = false;
    int threads = 0;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = data.add_subcommand("scan", "detect the layout; count images per class, split and patient; list unreadable files");
  cmd->add_option("DIR", opt->dir, "dataset folder or CSV manifest (default: the bundled C-NMC miniature)");
  cmd->add_option("--format", opt->format, "auto | cnmc | folder | csv")->check(CLI::IsMember({"auto", "cnmc", "folder", "csv"}));
  cmd->add_flag("--json", opt->json, "print one JSON object");
  cmd->add_option("--threads", opt->threads, "decoding threads (default: all cores)");
  cmd->callback([opt] {
    std::string dir = opt->dir.empty() ? bundled_cnmc_dir() : opt->dir;
    Dataset ds = open_dataset(dir, opt->format);
    validate_samples(ds, opt->threads > 0 ? opt->threads : default_thread_count());
    ScanSummary summary = summarise(ds);
    if (opt->json) std::cout << scan_to_json(ds, summary).dump(2) << "\n";
    else std::cout << scan_to_text(ds, summary);
  });
}

void add_data_verb(CLI::App& app) {
  auto* data = app.add_subcommand("data", "inspect, verify and split datasets");
  data->require_subcommand(1);
  add_scan(*data);
}

}  // namespace leuko::cli
