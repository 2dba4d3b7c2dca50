// `scgrad simulate OUT.h5ad`: deterministic negative-binomial counts written as a real .h5ad.

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "number_checks.hpp"
#include "scgrad/error.hpp"
#include "scgrad/preprocess/select_cells.hpp"
#include "scgrad/simulate/simulate_counts.hpp"

namespace scgrad::app {

namespace {
struct SimulateArgs {
  std::string out;
  SimulateOptions options;
  std::string cell_types;
  std::string proportions;
};

void run_simulate(SimulateArgs& args) {
  if (!args.cell_types.empty()) args.options.cell_types = split_class_list(args.cell_types);
  for (const auto& p : split_class_list(args.proportions)) {
    try {
      args.options.proportions.push_back(std::stod(p));
    } catch (const std::exception&) {
      throw Error("--proportions: expected numbers like 0.6,0.3,0.1, got '" + p + "'");
    }
  }
  const bool terminal = isatty(STDERR_FILENO) != 0;
  const auto results = simulate_h5ad(args.out, args.options, [&](std::int64_t done) {
    if (terminal) std::cerr << fmt::format("\rsimulating: {} / {} cells", done, args.options.cells);
  });
  if (terminal) std::cerr << '\n';
  std::cout << fmt::format(
      "wrote {}: {} cells × {} genes, {} nonzeros ({:.1f} %)\n", args.out, args.options.cells,
      args.options.genes, results.nonzeros,
      100.0 * static_cast<double>(results.nonzeros) /
          (static_cast<double>(args.options.cells) * static_cast<double>(args.options.genes)));
  for (std::size_t t = 0; t < results.cells_per_type.size(); ++t) {
    std::cout << fmt::format("  {:<20} {}\n", args.options.cell_types[t],
                             results.cells_per_type[t]);
  }
}
}  // namespace

void add_simulate_command(CLI::App& app) {
  auto args = std::make_shared<SimulateArgs>();
  auto* command = app.add_subcommand(
      "simulate",
      "Write a simulated .h5ad: negative-binomial counts for several cell types (Astrocytes, "
      "Glioblasts, …) with marker genes, labels in obs['author_cell_type'], CSR X. The same "
      "options and --seed always give the same file.");
  command->add_option("out", args->out, "the .h5ad file to write")->required();
  command->add_option("--cells", args->options.cells, "number of cells")->capture_default_str();
  command->add_option("--genes", args->options.genes, "number of genes")->capture_default_str();
  command->add_option("--seed", args->options.seed, "random seed")
      ->capture_default_str()
      ->check(non_negative());
  command->add_option("--cell-types", args->cell_types,
                      "comma-separated cell type names (default: Astrocytes, Glioblasts, "
                      "Oligodendrocytes, OPC, Neurons, Microglia, Endothelial, Fetal replicating)");
  command
      ->add_option("--markers-per-type", args->options.markers_per_type,
                   "marker genes per type (0: genes/20, at least 5)")
      ->capture_default_str();
  command
      ->add_option("--marker-fold", args->options.marker_fold,
                   "mean fold change of a marker in its type")
      ->capture_default_str()
      ->check(positive());
  command->add_option("--library-size", args->options.mean_library_size, "mean counts per cell")
      ->capture_default_str()
      ->check(positive());
  command->add_option("--proportions", args->proportions,
                      "share of each cell type, comma-separated in --cell-types order (e.g. "
                      "0.6,0.3,0.05,0.03,0.02 for rare types); default: equal");
  command
      ->add_option("--dispersion", args->options.dispersion,
                   "negative-binomial dispersion (variance mu + phi mu^2)")
      ->capture_default_str()
      ->check(positive());
  command
      ->add_option("--batch-seed", args->options.batch_seed,
                   "simulate a query batch of the --seed reference: same genes, types and "
                   "markers, other cells (drawn from this seed), --shift-genes shifted")
      ->check(non_negative());
  command
      ->add_option("--shift-genes", args->options.shift_genes,
                   "with --batch-seed: share of genes whose mean is multiplied by "
                   "exp(N(0, shift-sd^2)) (a batch effect)")
      ->capture_default_str()
      ->check(within(0.0, 1.0));
  command->add_option("--shift-sd", args->options.shift_sd, "with --batch-seed: size of the shifts")
      ->capture_default_str()
      ->check(non_negative());
  command->add_flag("--gzip", args->options.gzip, "gzip-compress X");
  command->callback([args] { run_simulate(*args); });
}

}  // namespace scgrad::app
