// `scgrad exercise [FILE.h5ad]`: the exercise's steps in order, with its questions answered.

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "exercise_report.hpp"
#include "number_checks.hpp"
#include "preprocess_options.hpp"
#include "scgrad/error.hpp"
#include "scgrad/exercise/exercise.hpp"
#include "scgrad/io/open_anndata.hpp"
#include "scgrad/simulate/simulate_counts.hpp"
#include "scgrad/util/output_paths.hpp"
#include "scgrad/util/output_set.hpp"
#include "standard_output.hpp"
#include "threads_option.hpp"

namespace scgrad::app {

namespace {

struct ExerciseArgs {
  std::string file;
  std::string classes = "Astrocytes,Glioblasts";
  PrepareOptions prepare;
  ExerciseOptions options;
  std::string json_out;
  std::int64_t sim_cells = 1000;
  std::int64_t sim_genes = 2000;
  int threads = 0;
};

/// Removes the simulated default file when the run ends, however it ends.
struct TemporaryFile {
  std::filesystem::path path;
  ~TemporaryFile() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove(path, ignored);
  }
};

void run_exercise_command(ExerciseArgs& args) {
  check_outputs_apart({{"FILE", args.file}}, {{"--json", args.json_out}});
  OutputSet outputs;
  const auto* json_out = args.json_out.empty() ? nullptr : &outputs.add("--json", args.json_out);
  keep_standard_output_for({args.json_out});
  use_threads(args.threads);
  TemporaryFile simulated;
  if (args.file.empty()) {
    simulated.path =
        std::filesystem::temp_directory_path() / fmt::format("scgrad-exercise-{}.h5ad", getpid());
    SimulateOptions sim;
    sim.cells = args.sim_cells;
    sim.genes = args.sim_genes;
    sim.seed = args.options.seed;
    simulate_h5ad(simulated.path.string(), sim);
    args.file = simulated.path.string();
    std::cerr << fmt::format(
        "No file given: simulated {} cells × {} genes (scgrad simulate --seed {}), the exercise "
        "keeps Astrocytes and Glioblasts.\n",
        sim.cells, sim.genes, sim.seed);
  }
  args.prepare.classes = split_class_list(args.classes);
  if (args.prepare.classes.size() != 2) {
    throw Error("the exercise needs exactly two classes (--classes A,B), got '" + args.classes +
                "'");
  }
  const auto file = open_anndata(args.file);
  std::cerr << fmt::format(
      "Load and prepare data: {} (obs '{}' in {{{}}}; genes with >= {} counts; log-CPM; scale)\n",
      simulated.path.empty() ? args.file : "simulated data", args.prepare.label_key, args.classes,
      args.prepare.gene_filter.min_counts);
  const auto data = prepare_data(*file, args.prepare);
  const auto report = run_exercise(data, args.options, &std::cerr);
  std::cout << '\n';
  print_exercise_report(report, std::cout);
  if (json_out != nullptr) {
    write_text(*json_out, exercise_report_json(report) + "\n");
    outputs.commit();
  }
}

}  // namespace

void add_exercise_command(CLI::App& app) {
  auto args = std::make_shared<ExerciseArgs>();
  auto* command = app.add_subcommand(
      "exercise",
      "Walk the PyTorch exercise (Astrocytes vs Glioblasts; SimpleModel, two-layer model, "
      "layer list; BCE + Adam, lr 1e-4, 10 epochs) and answer its questions 2.1-2.3 from the "
      "numbers measured. Without FILE it simulates a dataset.");
  command->add_option("file", args->file,
                      "the cells: " + kCellInputs + " (default: simulated data)");
  command
      ->add_option("--classes", args->classes,
                   "the two labels to keep; the first is the positive class")
      ->capture_default_str();
  add_preprocess_options(command, args->prepare);
  command->add_option("--epochs", args->options.epochs, "epochs per model")
      ->capture_default_str()
      ->check(positive());
  command->add_option("--lr", args->options.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(positive())
      ->check(within(0.0, 1e30));
  command->add_option("--hidden", args->options.hidden, "hidden units of the two-layer model")
      ->capture_default_str()
      ->check(positive());
  command->add_option("--seed", args->options.seed, "seed for the models (and the simulation)")
      ->capture_default_str()
      ->check(non_negative());
  command->add_option("--json", args->json_out, "also write the answers as JSON");
  add_threads_option(command, args->threads);
  command->add_option("--sim-cells", args->sim_cells, "cells of the simulated default data")
      ->capture_default_str();
  command->add_option("--sim-genes", args->sim_genes, "genes of the simulated default data")
      ->capture_default_str();
  command->footer(
      "Examples:\n"
      "  scgrad exercise                      # simulated Astrocytes vs Glioblasts\n"
      "  scgrad exercise data/darmanis2015_glia_subset.h5ad \\\n"
      "      --classes Astrocytes,\"Fetal replicating\" --json answers.json");
  command->callback([args] { run_exercise_command(*args); });
}

}  // namespace scgrad::app
