// `scgrad predict MODEL.h5 DATA.h5ad --out OUT.h5ad`: label new cells with a saved model.

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "preprocess_options.hpp"
#include "scgrad/io/prediction_output.hpp"
#include "scgrad/scgrad.hpp"
#include "scgrad/util/output_paths.hpp"

namespace scgrad::app {

namespace {

struct PredictArgs {
  std::string model;
  std::string data;
  std::string out;
  std::string csv;
  PredictOptions options;
};

void run_predict(const PredictArgs& args) {
  check_outputs_apart({{"MODEL", args.model}, {"DATA", args.data}},
                      {{"--out", args.out}, {"--csv", args.csv}});
  const auto model = load(args.model);
  const auto results = predict(model, args.data, args.options);
  const auto n_missing = results.missing_genes.size();
  std::cerr << fmt::format(
      "{}: {} cells; {} of the model's {} genes found", args.data, results.cell_names.size(),
      results.model_genes - static_cast<std::int64_t>(n_missing), results.model_genes);
  if (n_missing > 0) {
    std::cerr << fmt::format(", {} missing (treated as unexpressed at the training mean, e.g. {})",
                             n_missing, results.missing_genes.front());
  }
  std::cerr << '\n';
  if (!results.summed_genes.empty()) {
    std::string names;
    for (std::size_t i = 0; i < std::min<std::size_t>(5, results.summed_genes.size()); ++i) {
      names += (i ? ", " : "") + results.summed_genes[i];
    }
    std::cerr << fmt::format(
        "note: {} of the model's genes are named by more than one column of {}; their counts "
        "were summed ({}{})\n",
        results.summed_genes.size(), args.data, names,
        results.summed_genes.size() > 5 ? ", ..." : "");
  }
  if (!results.empty_cells.empty()) {
    std::cerr << fmt::format("note: {} cells have no counts in the model's genes\n",
                             results.empty_cells.size());
  }
  std::vector<std::int64_t> counts(model.classes.size(), 0);
  for (const auto label : results.columns.labels) ++counts[static_cast<std::size_t>(label)];
  for (std::size_t c = 0; c < model.classes.size(); ++c) {
    std::cout << fmt::format("  {:<24} {}\n", model.classes[c], counts[c]);
  }
  if (!args.out.empty()) {
    write_prediction_h5ad(args.data, args.out, results.columns);
    std::cerr << "wrote " << args.out
              << " (obs scgrad_label, scgrad_confidence; obsm scgrad_probabilities; uns "
                 "scgrad_classes)\n";
  }
  if (!args.csv.empty()) {
    write_prediction_csv(args.csv, results.cell_names, results.columns);
    std::cerr << "wrote " << args.csv << '\n';
  }
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto args = std::make_shared<PredictArgs>();
  auto* command = app.add_subcommand(
      "predict",
      "Label the cells of an .h5ad file with a model saved by `scgrad train --out`: genes are "
      "aligned by name, the model's own log-CPM and scaling are applied, and the result is a "
      "copy of the input with the labels added (the input is never modified).");
  command->add_option("model", args->model, "model file from scgrad train --out")->required();
  command->add_option("data", args->data, "the .h5ad file to label")->required();
  command->add_option("--out", args->out,
                      "output .h5ad: the input plus obs scgrad_label/scgrad_confidence, obsm "
                      "scgrad_probabilities, uns scgrad_classes");
  command->add_option("--csv", args->csv, "also write cell, label, confidence, probabilities");
  command->add_option("--gene-key", args->options.gene_key,
                      "var column with gene names matching the model (e.g. feature_name when "
                      "var is indexed by Ensembl IDs); default: the var index");
  command
      ->add_option("--min-gene-fraction", args->options.min_gene_fraction,
                   "refuse when fewer of the model's genes are found")
      ->capture_default_str();
  command->add_flag("--allow-non-counts", args->options.allow_non_integer, kAllowNonCountsHelp);
  command->footer("Example:\n  scgrad predict glia.h5 new_cells.h5ad --out labelled.h5ad");
  command->callback([args] { run_predict(*args); });
}

}  // namespace scgrad::app
