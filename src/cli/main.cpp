// leukoscope: one executable, one subcommand per verb (see verbs.h).
#include <ATen/Parallel.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "cli/verbs.h"
#include "common/error.h"
#include "common/parallel.h"
#include "common/paths.h"
#include "distributed/world.h"

int main(int argc, char** argv) {
  // libtorch defaults to one intra-op thread here; use every core.
  at::set_num_threads(leuko::default_thread_count());

  CLI::App app{"leukoscope: leukemia-cell classification — scan, split, train, evaluate, compare, study, predict"};
  app.set_version_flag("--version", leuko::leukoscope_version());
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("error: ") + e.what() + "\n";
  });
  leuko::cli::add_data_verb(app);
  leuko::cli::add_models_verb(app);
  leuko::cli::add_train_verb(app);
  leuko::cli::add_evaluate_verb(app);
  leuko::cli::add_calibrate_verb(app);
  leuko::cli::add_bench_verb(app);
  // The study and compare reports record how they were made.
  std::string command_line = "leukoscope";
  for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
  leuko::cli::add_predict_verb(app, &command_line);
  leuko::cli::add_study_verb(app, &command_line);
  leuko::cli::add_compare_verb(app, &command_line);
  leuko::cli::add_launch_verb(app);
  // One rank of several: every error line says which rank it came from.
  std::string rank_prefix;
  try {
    const leuko::World world = leuko::world_from_environment();
    if (world.distributed()) rank_prefix = "rank " + std::to_string(world.rank) + ": ";
  } catch (const leuko::UserError&) {
  }
  auto with_rank = [&](const std::string& message) {
    return message.rfind("rank ", 0) == 0 ? message : rank_prefix + message;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are 0; a bad command line is bad input (1), not CLI11's own 101-127.
    return app.exit(e) == 0 ? 0 : 1;
  } catch (const leuko::PartialResult& e) {
    std::cerr << "warning: " << with_rank(e.what()) << "\n";
    return 3;
  } catch (const leuko::UserError& e) {
    std::cerr << "error: " << with_rank(e.what()) << "\n";
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the user gave that cannot be made or read (--out under a file, no permission, a full
    // disk): the path and the system's reason, not the library's "filesystem error: ..." text.
    std::cerr << "error: " << with_rank(e.path1().string() + ": " + e.code().message()) << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "error: " << rank_prefix << "out of memory (a smaller --batch or --image-size needs less)\n";
    return 2;
  } catch (const std::exception& e) {
    // Library errors (c10::Error, cv::Exception) carry a backtrace after their first line: one
    // line for a user, everything with LEUKOSCOPE_DEBUG=1.
    std::string what = e.what();
    if (!std::getenv("LEUKOSCOPE_DEBUG")) {
      what = what.substr(0, what.find('\n'));
      if (what.empty()) what = "internal error (LEUKOSCOPE_DEBUG=1 shows the details)";
    }
    std::cerr << "error: " << with_rank(what) << "\n";
    return 2;
  }
  return 0;
}
