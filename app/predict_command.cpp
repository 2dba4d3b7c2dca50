// `scgrad predict MODEL.h5 DATA.h5ad --out OUT.h5ad`: label new cells with a saved model.

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "gnuplot.hpp"
#include "memory_option.hpp"
#include "number_checks.hpp"
#include "preprocess_options.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/io/open_anndata.hpp"
#include "scgrad/io/prediction_output.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"
#include "scgrad/scgrad.hpp"
#include "scgrad/util/output_paths.hpp"
#include "scgrad/util/output_set.hpp"
#include "standard_output.hpp"
#include "threads_option.hpp"
#include "training_plot.hpp"

namespace scgrad::app {

namespace {

struct PredictArgs {
  std::string model;
  std::string data;
  std::string out;
  std::string csv;
  std::string metrics_out;
  std::string annotations;
  std::string gene_map;
  std::string plot;
  int threads = 0;
  std::string max_memory;  ///< "" = half the machine's memory
  std::string labels;      ///< --labels: a CSV/TSV of barcodes and labels
  PredictOptions options;
};

/// What predict labelled, for --metrics-out: cells per label, the rejection and its threshold.
std::string predict_metrics_json(const PredictArgs& args, const FittedModel& model,
                                 const PredictResults& results, const Categorical& labels) {
  nlohmann::json j;
  j["model"] = args.model;
  j["data"] = args.data;
  j["cells"] = results.cell_names.size();
  j["model_genes"] = results.model_genes;
  j["model_genes_found"] =
      results.model_genes - static_cast<std::int64_t>(results.missing_genes.size());
  j["temperature"] = model.temperature;  // applied to every probability (1: none)
  j["min_confidence"] = args.options.min_confidence;
  j["unassigned_label"] = args.options.unassigned_label;
  j["unassigned"] = results.unassigned;
  const auto counts = labels.counts();
  for (std::size_t c = 0; c < labels.categories.size(); ++c) {
    j["label_counts"][labels.categories[c]] = counts[c];
  }
  for (std::size_t c = 0; c < model.classes.size(); ++c) {
    j["unassigned_by_class"][model.classes[c]] = results.unassigned_by_class[c];
  }
  if (!results.columns.novelty.empty()) {
    auto& novelty = j["novelty"];
    novelty["max_novelty"] = args.options.max_novelty;
    novelty["query_read_twice"] = results.query_read_twice;
    if (!results.novel_by_class.empty()) {
      novelty["novel"] = results.novel;
      for (std::size_t c = 0; c < model.classes.size(); ++c) {
        novelty["novel_by_class"][model.classes[c]] = results.novel_by_class[c];
      }
    }
  }
  if (results.evaluation) {
    const auto& e = *results.evaluation;
    j["evaluation"] = {{"label_key", args.options.label_key},
                       {"cells", results.evaluated_cells},
                       {"cells_without_known_label", results.cells_without_known_label},
                       {"accuracy", e.accuracy},
                       {"macro_f1", e.macro_f1},
                       {"balanced_accuracy", e.balanced_accuracy},
                       {"ece", e.ece}};
  }
  const auto& majority = results.columns.majority;
  if (!majority.codes.empty()) {
    auto& vote = j["majority"];
    vote["by"] = args.options.over_cluster ? obs_names::over_cluster : args.options.majority_by;
    vote["min_fraction"] = args.options.majority.min_fraction;
    vote["groups"] = results.majority_groups;
    vote["heterogeneous_groups"] = results.heterogeneous_groups;
    vote["kept_cells"] = results.majority_kept_cells;
    const auto voted = majority.counts();
    for (std::size_t c = 0; c < majority.categories.size(); ++c) {
      vote["label_counts"][majority.categories[c]] = voted[c];
    }
  }
  if (results.over_clustering) {
    const auto& o = *results.over_clustering;
    j["over_clustering"] = {{"clusters", o.n_clusters},
                            {"resolution", o.resolution},
                            {"components", o.components},
                            {"neighbours", args.options.over_clustering.neighbours},
                            {"edges", o.edges},
                            {"pca_genes", o.pca_genes},
                            {"approximate_neighbours", o.approximate_neighbours},
                            {"seed", args.options.over_clustering.seed},
                            {"pca_seconds", o.pca_seconds},
                            {"neighbour_seconds", o.neighbour_seconds},
                            {"leiden_seconds", o.leiden_seconds}};
  }
  return j.dump(2) + "\n";
}

/// How the query's genes met the model's, on stderr.
void report_genes(const PredictArgs& args, const PredictResults& results) {
  const auto n_missing = results.missing_genes.size();
  std::cerr << fmt::format(
      "{}: {} cells; {} of the model's {} genes found", args.data, results.cell_names.size(),
      results.model_genes - static_cast<std::int64_t>(n_missing), results.model_genes);
  if (n_missing > 0) {
    std::cerr << fmt::format(", {} missing (treated as unexpressed at the training mean, e.g. {})",
                             n_missing, results.missing_genes.front());
  }
  if (results.model_genes_found_without_map >= 0) {
    std::cerr << fmt::format(" with the gene map {} ({} of {} without it)", args.gene_map,
                             results.model_genes_found_without_map, results.model_genes);
  }
  std::cerr << '\n';
  const auto n_cells = static_cast<std::int64_t>(results.cell_names.size());
  if (results.block_cells < n_cells) {
    std::cerr << fmt::format(
        "read from disk in blocks of {} cells (matrix {:.0f} MB > --max-memory), the next block "
        "read while one is labelled\n",
        results.block_cells, static_cast<double>(results.stored_bytes) / 1e6);
  }
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
}

/// Cells per label on stdout; with a threshold, the unassigned cells and their would-be classes.
void report_labels(const PredictArgs& args, const FittedModel& model, const PredictResults& results,
                   const Categorical& labels) {
  const auto counts = labels.counts();
  for (std::size_t c = 0; c < labels.categories.size(); ++c) {
    std::cout << fmt::format("  {:<24} {}\n", labels.categories[c], counts[c]);
  }
  const auto by_class = [&](const std::vector<std::int64_t>& cells) {
    std::string out;
    for (std::size_t c = 0; c < model.classes.size(); ++c) {
      if (cells[c] == 0) continue;
      out += fmt::format("{}{} {}", out.empty() ? "" : ", ", cells[c], model.classes[c]);
    }
    return out.empty() ? std::string() : "; they would have been: " + out;
  };
  const bool confidence = args.options.min_confidence > 0;
  const bool novelty = args.options.max_novelty < 1;
  if (confidence || novelty) {
    std::string why;
    if (confidence) why = fmt::format("top probability below {}", args.options.min_confidence);
    if (novelty) {
      why += fmt::format("{}novelty above {}: {} cells", why.empty() ? "" : ", or ",
                         args.options.max_novelty, results.novel);
    }
    std::cerr << fmt::format("{} of {} cells {} ({}){}\n", results.unassigned,
                             results.cell_names.size(), args.options.unassigned_label, why,
                             by_class(results.unassigned_by_class));
  }
}

/// With --label-key: the most probable classes against the query's labels.
void report_evaluation(const PredictArgs& args, const PredictResults& results) {
  if (!results.evaluation) return;
  const auto& e = *results.evaluation;
  std::cout << fmt::format(
      "against obs['{}'] ({} cells{}): accuracy {:.4f}, macro-F1 {:.4f}, balanced accuracy "
      "{:.4f}, expected calibration error {:.1f} %\n",
      args.options.label_key, results.evaluated_cells,
      results.cells_without_known_label > 0
          ? fmt::format("; {} with no label or one the model does not know left out",
                        results.cells_without_known_label)
          : std::string(),
      e.accuracy, e.macro_f1, e.balanced_accuracy, 100 * e.ece);
}

/// The obs columns predict writes.
std::string obs_written(const PredictionColumns& columns) {
  std::string names;
  for (const auto& column : obs_columns(columns))
    names += (names.empty() ? "" : ", ") + column.name;
  return names;
}

/// With voting: the groups, the clusters scgrad made, and the cells per voted label.
void report_vote(const PredictArgs& args, const PredictResults& results) {
  const auto& majority = results.columns.majority;
  if (majority.codes.empty()) return;
  if (results.over_clustering) {
    const auto& o = *results.over_clustering;
    std::cerr << fmt::format(
        "over-clustering: {} clusters (Leiden, modularity, resolution {}) of {} {}-nearest-"
        "neighbour graph ({} edges) on {} principal components of {} genes; PCA {:.1f} s, "
        "neighbours {:.1f} s, Leiden {:.1f} s\n",
        o.n_clusters, o.resolution, o.approximate_neighbours ? "an approximate" : "the exact",
        args.options.over_clustering.neighbours, o.edges, o.components, o.pca_genes, o.pca_seconds,
        o.neighbour_seconds, o.leiden_seconds);
  }
  std::cerr << fmt::format(
      "majority vote within {} groups of {}: {} heterogeneous (top label below {:.0f} %); {} "
      "cells kept their own label (confidence at least their group's majority share)\n",
      results.majority_groups,
      args.options.over_cluster ? std::string(obs_names::over_cluster)
                                : "obs['" + args.options.majority_by + "']",
      results.heterogeneous_groups, 100 * args.options.majority.min_fraction,
      results.majority_kept_cells);
  std::cout << "majority labels:\n";
  const auto counts = majority.counts();
  for (std::size_t c = 0; c < majority.categories.size(); ++c) {
    std::cout << fmt::format("  {:<24} {}\n", majority.categories[c], counts[c]);
  }
}

/// The run's outputs, staged before any work (output_set.hpp); null when not asked for.
struct PredictOutputs {
  OutputSet set;
  const StagedOutput* out = nullptr;
  const StagedOutput* csv = nullptr;
  const StagedOutput* metrics = nullptr;
  const StagedOutput* annotations = nullptr;
  const StagedOutput* plot = nullptr;
};

void stage_outputs(const PredictArgs& args, PredictOutputs& outputs) {
  if (!args.plot.empty()) check_picture_name("--plot", args.plot);
  auto stage = [&](const char* option, const std::string& path) {
    return path.empty() ? nullptr : &outputs.set.add(option, path);
  };
  outputs.out = stage("--out", args.out);
  outputs.csv = stage("--csv", args.csv);
  outputs.metrics = stage("--metrics-out", args.metrics_out);
  outputs.annotations = stage("--annotations-only", args.annotations);
  outputs.plot = stage("--plot", args.plot);
}

/// Every output the options ask for, put in place together.
void write_outputs(const PredictArgs& args, const FittedModel& model, const AnnDataSource& cells,
                   const PredictResults& results, const Categorical& labels,
                   PredictOutputs& outputs) {
  if (outputs.metrics) {
    write_text(*outputs.metrics, predict_metrics_json(args, model, results, labels));
  }
  if (outputs.out) {
    if (dynamic_cast<const H5adFile*>(&cells) != nullptr) {
      write_prediction_h5ad(args.data, *outputs.out, results.columns);  // a copy plus predictions
    } else {  // 10x, Matrix Market, loom, or labels joined from a table: a new AnnData
      const auto matrix = cells.resolve_matrix_key(model.preprocessing.matrix);
      write_prediction_anndata(
          cells, matrix,
          rows_per_block(cells, matrix, streaming_block_bytes(args.options.max_memory)),
          *outputs.out, results.columns);
    }
  }
  if (outputs.plot) {
    plot_label_counts(labels.categories, labels.counts(),
                      fmt::format("scgrad predict: {} cells of {}", results.cell_names.size(),
                                  std::filesystem::path(args.data).filename().string()),
                      *outputs.plot);
  }
  if (outputs.annotations) {
    write_prediction_annotations(*outputs.annotations, results.cell_names, results.columns);
  }
  if (outputs.csv) write_prediction_csv(*outputs.csv, results.cell_names, results.columns);
  outputs.set.commit();
  if (outputs.metrics) std::cerr << "wrote " << args.metrics_out << '\n';
  if (outputs.out) {
    std::cerr << "wrote " << args.out << " (obs " << obs_written(results.columns)
              << "; obsm scgrad_probabilities; uns scgrad_classes)\n";
  }
  if (outputs.plot) std::cerr << "wrote plot " << args.plot << '\n';
  if (outputs.annotations) {
    std::cerr << "wrote " << args.annotations << " (the annotations only: obs names, "
              << obs_written(results.columns)
              << ", obsm scgrad_probabilities, uns scgrad_classes; no expression matrix)\n";
  }
  if (outputs.csv) std::cerr << "wrote " << args.csv << '\n';
}

void run_predict(const PredictArgs& args) {
  std::vector<NamedPath> inputs{
      {"MODEL", args.model}, {"--gene-map", args.gene_map}, {"--labels", args.labels}};
  for (const auto& file : input_files(args.data)) inputs.push_back({"DATA", file});
  check_outputs_apart(inputs, {{"--out", args.out},
                               {"--csv", args.csv},
                               {"--metrics-out", args.metrics_out},
                               {"--annotations-only", args.annotations},
                               {"--plot", args.plot}});
  PredictOutputs outputs;
  stage_outputs(args, outputs);
  keep_standard_output_for({args.out, args.csv, args.metrics_out, args.annotations, args.plot});
  const int threads = use_threads(args.threads);
  const auto model = load(args.model);
  use_path_threads(threads, model.compute == ComputePath::sparse, /*streamed=*/false);
  auto options = args.options;
  options.max_memory = max_memory_bytes(args.max_memory);
  if (!args.gene_map.empty()) options.gene_map = read_gene_map(args.gene_map);
  const auto cells = with_labels(open_anndata(args.data, options.max_memory), args.labels);
  const auto results = predict_cells(model, *cells, options);
  report_genes(args, results);
  const auto labels = results.columns.annotation();  // the labels as every output writes them
  report_labels(args, model, results, labels);
  report_evaluation(args, results);
  report_vote(args, results);
  write_outputs(args, model, *cells, results, labels, outputs);
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
  command->add_option("data", args->data, "the cells to label: " + kCellInputs)->required();
  command->add_option("--labels", args->labels,
                      "a CSV or TSV of known labels (barcodes first) joined to the cells, for "
                      "--label-key");
  command->add_option("--out", args->out,
                      "output .h5ad: the input plus obs scgrad_label/scgrad_confidence/"
                      "scgrad_novelty, obsm "
                      "scgrad_probabilities, uns scgrad_classes");
  command->add_option("--csv", args->csv,
                      "also write cell, label, confidence, novelty, probabilities");
  command->add_option("--annotations-only", args->annotations,
                      "write the annotations alone (obs names and the scgrad_* obs, obsm and uns "
                      "entries; no expression matrix) to this .h5ad, with or without --out; in "
                      "Python: adata.obs = adata.obs.join(anndata.read_h5ad(FILE).obs)");
  command->add_option("--label-key", args->options.label_key,
                      "obs column of known labels: report accuracy, macro-F1 and the expected "
                      "calibration error of the predictions against it (cells whose label is "
                      "not one of the model's classes are left out), also in --metrics-out");
  command->add_option("--gene-key", args->options.gene_key,
                      "var column with gene names matching the model (e.g. feature_name when "
                      "var is indexed by Ensembl IDs); default: the var index");
  command->add_option("--gene-map", args->gene_map,
                      "CSV with the header model,query: the query's name for each model gene "
                      "(Ensembl IDs <-> symbols, orthologs); query genes it does not name are "
                      "ignored, several mapped to one model gene are summed");
  command
      ->add_option("--min-gene-fraction", args->options.min_gene_fraction,
                   "refuse when fewer of the model's genes are found")
      ->capture_default_str()
      ->check(within(0.0, 1.0));
  command->add_flag("--allow-non-counts", args->options.allow_non_integer, kAllowNonCountsHelp);
  command
      ->add_option("--min-confidence", args->options.min_confidence,
                   "label a cell whose most probable class has a probability below this "
                   "--unassigned-label instead (CellTypist's p_thres; two classes: the "
                   "probability of the predicted class); 0: every cell gets a class")
      ->check(within(0.0, 1.0))
      ->capture_default_str();
  command
      ->add_option(
          "--max-novelty", args->options.max_novelty,
          "label a cell whose novelty (obs scgrad_novelty: stranger than this share "
          "of the reference cells of its predicted type, by its counts or by the "
          "model's doubt) is above this --unassigned-label too; on the project's benchmark 0.99 "
          "flags 2-3 % of known cells and finds 94 % of a near type's cells and about "
          "40 % of a distinct one's (docs/training.md). 1: none")
      ->check(within(0.0, 1.0))
      ->capture_default_str();
  command->add_flag("--no-novelty{false}", args->options.novelty,
                    "do not compute novelty scores (a query read in blocks is then read once)");
  command
      ->add_option("--unassigned-label", args->options.unassigned_label,
                   "label of the cells below --min-confidence or above --max-novelty")
      ->capture_default_str();
  command->add_option("--majority-by", args->options.majority_by,
                      "majority voting (CellTypist's majority_voting) within the groups of this "
                      "obs column of the query (e.g. leiden): obs scgrad_majority_label. A cell "
                      "keeps its own label when its confidence is at least the share of its "
                      "group's majority");
  command->add_flag("--majority-vote", args->options.over_cluster,
                    "majority voting within scgrad's own over-clustering of the query (PCA of "
                    "the model's scaled inputs over the query's 2,000 most variable genes, a "
                    "10-nearest-neighbour graph, Leiden): obs scgrad_over_cluster and "
                    "scgrad_majority_label. Large queries are streamed from disk for the PCA "
                    "(two more passes) and get approximate neighbours");
  command
      ->add_option("--exact-neighbours-up-to", args->options.over_clustering.exact_neighbours_up_to,
                   "--majority-vote finds each cell's neighbours exactly up to this many cells "
                   "(time grows with cells squared), approximately above it (k-means lists; "
                   "recall@10 0.95 at 100,000 simulated cells, less on larger queries: "
                   "docs/performance.md)")
      ->check(non_negative())
      ->capture_default_str();
  command
      ->add_option("--majority-min-fraction", args->options.majority.min_fraction,
                   "a group whose most frequent label holds less than this share of its cells "
                   "is labelled Heterogeneous")
      ->check(within(0.0, 1.0))
      ->capture_default_str();
  command
      ->add_option("--over-cluster-resolution", args->options.over_clustering.resolution,
                   "Leiden resolution of --majority-vote; 0: CellTypist's rule (5 below 5,000 "
                   "cells, rising to 30 from 200,000)")
      ->check(non_negative())
      ->capture_default_str();
  command
      ->add_option("--seed", args->options.over_clustering.seed,
                   "seed of the over-clustering (the approximate neighbour index and Leiden): the "
                   "same seed and --threads give the same clusters")
      ->capture_default_str()
      ->check(non_negative());
  add_threads_option(command, args->threads);
  add_max_memory_option(command, args->max_memory);
  command->add_option("--plot", args->plot,
                      "draw the cells per predicted label (Unassigned included) as .png or .svg");
  command->add_option("--metrics-out", args->metrics_out,
                      "write a JSON summary: cells per label, unassigned cells overall and by "
                      "the class they would have had, genes found");
  command->footer(
      "Examples:\n  scgrad predict glia.h5 new_cells.h5ad --out labelled.h5ad\n"
      "  scgrad predict glia.h5 new_cells.h5ad --out labelled.h5ad --min-confidence 0.9\n"
      "  scgrad predict glia.h5 new_cells.h5ad --out labelled.h5ad --max-novelty 0.99\n"
      "  scgrad predict glia.h5 new_cells.h5ad --annotations-only labels.h5ad --majority-vote");
  command->callback([args] { run_predict(*args); });
}

}  // namespace scgrad::app
