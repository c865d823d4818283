// `leukoscope data scan | verify | split`: look at a dataset before training on it.
#include "cli/verbs.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/choice_option.h"
#include "cli/whole_number.h"
#include "common/error.h"
#include "common/json_text.h"
#include "common/parallel.h"
#include "common/paths.h"
#include "data/bundled.h"
#include "data/layouts.h"
#include "data/scan.h"
#include "data/split.h"
#include "data/verify.h"

namespace leuko::cli {

static void add_scan(CLI::App& data) {
  struct Options {
    std::string dir;
    DataFormat format = DataFormat::Auto;
    bool json = false;
    int threads = 0;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = data.add_subcommand("scan", "detect the layout; count images per class, split and patient; list unreadable files");
  cmd->add_option("DIR", opt->dir, "dataset folder or CSV manifest (default: the bundled Aria subset)");
  add_choice(cmd, "--format", opt->format, "dataset layout");
  cmd->add_flag("--json", opt->json, "print one JSON object");
  cmd->add_option("--threads", opt->threads, "decoding threads (default: all cores)")->check(thread_count(0));
  cmd->callback([opt] {
    std::string dir = opt->dir.empty() ? bundled_aria_dir() : opt->dir;
    Dataset ds = open_dataset(dir, opt->format);
    validate_samples(ds, opt->threads > 0 ? opt->threads : default_thread_count());
    ScanSummary summary = summarise(ds);
    if (opt->json) std::cout << json_text(scan_to_json(ds, summary), 2) << "\n";
    else std::cout << scan_to_text(ds, summary);
  });
}

static void add_verify(CLI::App& data) {
  struct Options {
    std::string dir, manifest;
    bool json = false;
    int threads = 0;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = data.add_subcommand("verify", "check a C-NMC download against the manifest: ok / mismatched / missing / extra (sha256)");
  cmd->add_option("DIR", opt->dir, "the download (C-NMC_Leukemia or a folder holding it; default: the bundled miniature)");
  cmd->add_option("--manifest", opt->manifest, "manifest TSV (default: the bundled cnmc-kaggle-manifest.tsv)");
  cmd->add_flag("--json", opt->json, "print one JSON object");
  cmd->add_option("--threads", opt->threads, "hashing threads (default: all cores)")->check(thread_count(0));
  cmd->callback([opt] {
    std::string dir = opt->dir.empty() ? bundled_cnmc_dir() : opt->dir;
    std::string manifest = opt->manifest.empty() ? bundled_cnmc_manifest() : opt->manifest;
    VerifyReport r = verify_against_manifest(dir, manifest, opt->threads > 0 ? opt->threads : default_thread_count());
    if (opt->json) std::cout << json_text(verify_to_json(r), 2) << "\n";
    else std::cout << verify_to_text(r);
    if (!r.all_ok())
      throw UserError(dir + ": does not match the manifest (" + std::to_string(r.mismatched.size()) + " mismatched, " +
                      std::to_string(r.missing.size()) + " missing, " + std::to_string(r.extra.size()) + " extra)");
  });
}

static void add_split(CLI::App& data) {
  struct Options {
    std::string dir, split_file;
    DataFormat format = DataFormat::Auto;
    SplitOptions split;
    int threads = 0;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = data.add_subcommand("split", "stratified, grouped train/val/test split with a leakage audit");
  cmd->add_option("DIR", opt->dir, "dataset folder or CSV manifest (default: the bundled Aria subset)");
  auto* file = cmd->add_option("--split-file", opt->split_file,
                               "the split file to write (path,label,patient,group,split): what `train --split-file` reads");
  auto* old_out = cmd->add_option("--out", opt->split_file)->group("");  // the old spelling, kept for one release
  file->excludes(old_out);
  add_choice(cmd, "--by", opt->split.by, "what to keep together; auto = patient when every image has one, else cluster");
  cmd->add_option("--val", opt->split.val, "validation fraction (default 0.15)");
  cmd->add_option("--test", opt->split.test, "test fraction (default 0.15)");
  cmd->add_option("--seed", opt->split.seed, "random seed (default 42)");
  cmd->add_option("--near-duplicate-bits", opt->split.near_duplicate_bits,
                  "perceptual-hash distance (of 64 bits) that makes two images near-duplicates (default 6)")
      ->check(CLI::Range(0, 16));
  add_choice(cmd, "--format", opt->format, "dataset layout");
  cmd->add_option("--threads", opt->threads, "decoding and hashing threads (default: all cores)")->check(thread_count(0));
  cmd->add_flag("--json", opt->json, "print the summary as JSON");
  cmd->callback([opt] {
    if (opt->split_file.empty()) throw UserError("--split-file: required (where to write the split)");
    opt->split.threads = opt->threads > 0 ? opt->threads : default_thread_count();
    std::string dir = opt->dir.empty() ? bundled_aria_dir() : opt->dir;
    Dataset ds = open_dataset(dir, opt->format);
    validate_samples(ds, opt->split.threads);
    // Everything left out, by the layout reader (missing, conflicting, loops) or the decoder.
    const size_t bad = ds.skipped.size();
    SplitResult r = make_split(ds, opt->split);
    write_split_csv(opt->split_file, r.dataset);
    if (opt->json) {
      auto j = split_summary_json(r);
      j["skipped"] = bad;
      j["notes"] = ds.notes;
      j["split_file"] = opt->split_file;
      std::cout << json_text(j, 2) << "\n";
    } else {
      std::cout << split_summary_text(r);
      if (bad) std::cout << "skipped files: " << bad << " (`leukoscope data scan` lists them with the reasons)\n";
      for (const auto& note : ds.notes) std::cout << "note: " << note << "\n";
      std::cout << "wrote " << opt->split_file << "\n";
    }
  });
}

void add_data_verb(CLI::App& app) {
  auto* data = app.add_subcommand("data", "inspect, verify and split datasets");
  data->require_subcommand(1);
  add_scan(*data);
  add_verify(*data);
  add_split(*data);
}

}  // namespace leuko::cli
