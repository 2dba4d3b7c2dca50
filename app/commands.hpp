#pragma once
// Each scgrad subcommand registers its options and its action on the CLI11 app.

#include <CLI/CLI.hpp>

namespace scgrad::app {

void add_inspect_command(CLI::App& app);
void add_simulate_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_markers_command(CLI::App& app);
void add_exercise_command(CLI::App& app);
void add_launch_command(CLI::App& app);

}  // namespace scgrad::app
