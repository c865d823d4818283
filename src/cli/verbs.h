#pragma once
// Each verb lives in its own file and registers its subcommand here; main.cpp only dispatches.
#include <string>

#include <CLI/CLI.hpp>

namespace leuko::cli {

void add_data_verb(CLI::App& app);    // data scan | verify | split
void add_models_verb(CLI::App& app);  // models
void add_train_verb(CLI::App& app);   // train
void add_evaluate_verb(CLI::App& app);  // evaluate
void add_calibrate_verb(CLI::App& app);  // calibrate
void add_predict_verb(CLI::App& app, const std::string* command_line);  // predict
void add_bench_verb(CLI::App& app);   // bench
void add_study_verb(CLI::App& app, const std::string* command_line);    // study
void add_compare_verb(CLI::App& app, const std::string* command_line);  // compare
void add_launch_verb(CLI::App& app);  // launch

}  // namespace leuko::cli
