#pragma once
// Each scgrad subcommand registers its options and its action on the CLI11 app.

#include <CLI/CLI.hpp>
#include <string>

namespace scgrad::app {

/// What a command that reads cells accepts (open_anndata), for --help.
inline const std::string kCellInputs =
    "an .h5ad, a 10x Genomics .h5, a Matrix Market folder (or its matrix.mtx[.gz]) or a .loom "
    "file";

void add_inspect_command(CLI::App& app);
void add_simulate_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_markers_command(CLI::App& app);
void add_exercise_command(CLI::App& app);
void add_launch_command(CLI::App& app);

}  // namespace scgrad::app
