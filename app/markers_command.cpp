// `scgrad markers MODEL.h5 [--top 20] [--csv OUT]`: the genes that push the model most towards
// each class.

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "number_checks.hpp"
#include "scgrad/predict/marker_genes.hpp"
#include "scgrad/scgrad.hpp"
#include "scgrad/util/csv_field.hpp"
#include "scgrad/util/output_paths.hpp"
#include "scgrad/util/output_set.hpp"
#include "standard_output.hpp"

namespace scgrad::app {

namespace {

struct MarkersArgs {
  std::string model;
  std::int64_t top = 20;
  std::string csv;
};

void run_markers(const MarkersArgs& args) {
  check_outputs_apart({{"MODEL", args.model}}, {{"--csv", args.csv}});
  OutputSet outputs;
  const auto* csv_out = args.csv.empty() ? nullptr : &outputs.add("--csv", args.csv);
  keep_standard_output_for({args.csv});
  const auto model = load(args.model);
  const auto markers = marker_genes(model, args.top);
  std::cerr << (marker_source(model) == MarkerSource::weights
                    ? "scores: the logistic model's weights on the scaled genes (log-odds per SD)\n"
                    : "scores: mean gradient x input of the class's centred logit over its "
                      "training cells (stored when the model was trained)\n");
  std::ostringstream csv;
  csv << "class,rank,gene,score\n";
  for (std::size_t c = 0; c < markers.size(); ++c) {
    std::cout << model.classes[c] << '\n';
    for (std::size_t r = 0; r < markers[c].size(); ++r) {
      const auto& m = markers[c][r];
      std::cout << fmt::format("  {:>3}  {:<24} {:+.4f}\n", r + 1, m.gene, m.score);
      csv << csv_field(model.classes[c]) << ',' << r + 1 << ',' << csv_field(m.gene) << ','
          << m.score << '\n';
    }
  }
  if (csv_out != nullptr) {
    write_text(*csv_out, csv.str());
    outputs.commit();
    std::cerr << "wrote " << args.csv << '\n';
  }
}

}  // namespace

void add_markers_command(CLI::App& app) {
  auto args = std::make_shared<MarkersArgs>();
  auto* command = app.add_subcommand(
      "markers",
      "The genes that push a model most towards each class: for the logistic model its weights "
      "on the scaled genes (how much one standard deviation more of a gene raises the class's "
      "log-odds), highest first. For a model with hidden layers, each gene's mean share of the "
      "class's centred logit over the class's training cells (gradient x input), computed when "
      "the model was trained and stored in its file (docs/annotation.md).");
  command->add_option("model", args->model, "model file from scgrad train --out")->required();
  command->add_option("--top", args->top, "genes per class")
      ->check(positive())
      ->capture_default_str();
  command->add_option(
      "--csv", args->csv,
      "write the markers as CSV, one row per class and rank: class,rank,gene,score");
  command->footer("Example:\n  scgrad markers glia.h5 --top 10 --csv markers.csv");
  command->callback([args] { run_markers(*args); });
}

}  // namespace scgrad::app
