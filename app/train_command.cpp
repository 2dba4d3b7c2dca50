// `scgrad train FILE.h5ad --classes A,B[,C…]|all`: preprocessing, a held-out split, training,
// evaluation, and the model file that `scgrad predict` uses.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "gnuplot.hpp"
#include "memory_option.hpp"
#include "number_checks.hpp"
#include "preprocess_options.hpp"
#include "scgrad/distributed/environment.hpp"
#include "scgrad/distributed/process_group.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/delimited_table.hpp"
#include "scgrad/io/labelled_source.hpp"
#include "scgrad/io/open_anndata.hpp"
#include "scgrad/preprocess/select_cells.hpp"
#include "scgrad/saved/model_file.hpp"
#include "scgrad/train/fit.hpp"
#include "scgrad/train/train_settings.hpp"
#include "scgrad/util/output_paths.hpp"
#include "scgrad/util/output_set.hpp"
#include "scgrad/util/threads.hpp"
#include "standard_output.hpp"
#include "threads_option.hpp"
#include "train_output.hpp"
#include "training_plot.hpp"

namespace scgrad::app {

namespace {

struct TrainArgs {
  std::string file;
  // Defaults that learn (the library's recommended_fit_options, docs/training.md); the
  // exercise's run is spelled out in --help.
  TrainSettings settings;
  std::string metrics_out;
  std::string model_out;
  std::string plot;
  int threads = 0;
  int dist_timeout = 300;                          ///< seconds a rank waits for the others
  std::string max_memory;                          ///< "" = half the machine's memory
  std::string labels;                              ///< --labels: a CSV/TSV of barcodes, labels
  const CLI::Option* target_sum_option = nullptr;  ///< to tell whether --target-sum was given
  const CLI::Option* label_key_option = nullptr;   ///< to tell whether --label-key was given
};

/// The cells of FILE, with --labels joined by barcode. A table with one label column names
/// the label key unless --label-key does; what it labels is said on stderr.
std::shared_ptr<const AnnDataSource> open_cells(const TrainArgs& args, FitOptions& options,
                                                bool say) {
  const auto cells = open_anndata(args.file, options.input.max_memory);
  if (args.labels.empty()) return cells;
  const auto labelled =
      std::make_shared<const LabelledSource>(cells, read_delimited_table(args.labels));
  if (args.label_key_option->count() == 0 && labelled->label_columns().size() == 1) {
    options.prepare.label_key = labelled->label_columns().front();
  }
  if (say) {
    std::cerr << fmt::format("labels: column '{}' of {} for {} of {} cells ({} unlabelled)\n",
                             options.prepare.label_key, args.labels,
                             labelled->n_obs() - labelled->unlabelled_cells(), labelled->n_obs(),
                             labelled->unlabelled_cells());
  }
  return labelled;
}

/// The options given, over the defaults (the library's rule, train_settings.hpp).
FitOptions fit_options(const TrainArgs& args) {
  auto settings = args.settings;
  if (args.target_sum_option->count() > 0) {
    settings.target_sum = settings.prepare.log_cpm.target_sum;
  }
  settings.max_memory = max_memory_bytes(args.max_memory);
  settings.model_kept = !args.model_out.empty();
  return scgrad::fit_options(settings);
}

/// Ranks started on one machine share its cores (torchrun's LOCAL_WORLD_SIZE; our launcher sets
/// it): without --threads each takes its part, not all of them.
int default_threads(const DistributedEnvironment& env) {
  if (!env.distributed()) return 0;
  const char* local = std::getenv("LOCAL_WORLD_SIZE");
  const int ranks_here = local != nullptr ? std::max(1, std::atoi(local)) : 1;
  return std::max(1, available_cores() / ranks_here);
}

/// The run's outputs, staged before any work (output_set.hpp).
struct TrainOutputs {
  std::unique_ptr<OutputSet> set = std::make_unique<OutputSet>();
  const StagedOutput* model = nullptr;
  const StagedOutput* metrics = nullptr;
  const StagedOutput* curves = nullptr;
  const StagedOutput* confusion = nullptr;
};

void stage_outputs(const TrainArgs& args, TrainOutputs& out) {
  if (!args.plot.empty()) check_picture_name("--plot", args.plot);
  if (!args.model_out.empty()) out.model = &out.set->add("--out", args.model_out);
  if (!args.metrics_out.empty()) out.metrics = &out.set->add("--metrics-out", args.metrics_out);
  if (!args.plot.empty()) {
    out.curves = &out.set->add("--plot", args.plot);
    out.confusion = &out.set->add("--plot (confusion matrix)", confusion_plot_path(args.plot));
  }
}

void run_train(const TrainArgs& args) {
  std::vector<NamedPath> inputs{{"--labels", args.labels}};
  for (const auto& file : input_files(args.file)) inputs.push_back({"FILE", file});
  check_outputs_apart(inputs, {{"--out", args.model_out},
                               {"--metrics-out", args.metrics_out},
                               {"--plot", args.plot},
                               {"--plot (confusion matrix)",
                                args.plot.empty() ? "" : confusion_plot_path(args.plot)}});
  // Data-parallel when launched with WORLD_SIZE > 1 (torchrun's variables): every rank trains,
  // only rank 0 prints and writes.
  const auto env = distributed_environment([](const char* name) { return std::getenv(name); });
  // Outputs are staged before the data is read, so a path that cannot be written stops the run
  // now, and a late failure leaves every file as it was. Every rank checks (they fail alike);
  // rank 0 keeps its staging files.
  TrainOutputs outputs;
  stage_outputs(args, outputs);
  if (env.rank != 0) outputs = TrainOutputs{};
  keep_standard_output_for({args.model_out, args.metrics_out, args.plot});
  std::unique_ptr<ProcessGroup> group;
  if (env.distributed()) {
    group = std::make_unique<ProcessGroup>(env, std::chrono::seconds(args.dist_timeout));
  }
  const bool first_rank = env.rank == 0;
  const int threads = use_threads(args.threads > 0 ? args.threads : default_threads(env));
  auto options = fit_options(args);
  options.training.group = group.get();
  TrainPrinter printer(options, args.model_out);
  auto callbacks = first_rank ? printer.callbacks() : FitCallbacks{};
  callbacks.on_prepared = [print = callbacks.on_prepared, threads](const DataSummary& data) {
    use_path_threads(threads, data.sparse, data.streaming);  // once the library has chosen
    if (print) print(data);
  };
  const auto cells = open_cells(args, options, first_rank);
  const auto result = fit(cells, options, callbacks);
  if (!first_rank) return;
  if (env.distributed()) {
    std::cerr << "trained data-parallel on " << env.world_size << " ranks\n";
  }
  if (outputs.model != nullptr) write_model_file(*outputs.model, result.model);
  if (outputs.metrics != nullptr) {
    write_text(*outputs.metrics, metrics_json(result, options).dump(2) + "\n");
  }
  if (outputs.curves != nullptr) {
    plot_fit(result, options, *outputs.curves, *outputs.confusion);
    if (!result.held_out) outputs.set->drop(*outputs.confusion);
  }
  outputs.set->commit();
  printer.print_saved(result);
  if (outputs.curves != nullptr) {
    std::cerr << "wrote plot " << args.plot << '\n';
    if (result.held_out) std::cerr << "wrote plot " << confusion_plot_path(args.plot) << '\n';
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* command = app.add_subcommand(
      "train",
      "Train a cell-type classifier on a file of cells (.h5ad, 10x, Matrix Market, loom): "
      "select cells of the given classes, hold out a stratified test set, filter genes, "
      "log-normalise and scale (fitted on the training cells), choose the epoch and the weight "
      "decay on validation cells carved from "
      "the training cells, report held-out metrics (macro-F1 among them), and save the model "
      "for `predict`, refit on every labelled cell. Two classes use a sigmoid output and BCE "
      "as the exercise does; more use softmax and cross-entropy.");
  command->add_option("file", args->file, "the cells: " + kCellInputs)->required();
  command->add_option("--labels", args->labels,
                      "a CSV or TSV of cell labels: a header, cell barcodes (obs names) in the "
                      "first column, labels in the others; joined by barcode, cells it does not "
                      "list are unlabelled. With one label column it is the label key");
  command
      ->add_option("--classes", args->settings.classes,
                   "comma-separated labels to keep (the first is the positive class for "
                   "two), or 'all'")
      ->required();
  add_preprocess_options(command, args->settings.prepare);
  args->label_key_option = command->get_option("--label-key");
  args->target_sum_option =
      command->get_option("--target-sum")
          ->description(
              "counts per cell after normalisation, log(1 + x * target / library). "
              "Default 1e4 with minibatches (scanpy's and CellTypist's convention), "
              "1e6 (the exercise's log-CPM) with --batch-size 0")
          ->default_str("");
  command
      ->add_option("--max-value", args->settings.max_value,
                   "clip scaled inputs above this many standard deviations, as scanpy's "
                   "sc.pp.scale(max_value=10) and CellTypist do; 0: no clip. Default with "
                   "minibatches: 10, or higher where the rarest type's markers scale higher "
                   "(sqrt((n - m) / m) for m of n training cells), so no type's signal is cut; "
                   "no clip with --batch-size 0")
      ->check(non_negative());
  command
      ->add_option("--model", args->settings.model,
                   "logistic (Linear+Sigmoid), mlp (two layers), or a layer spec such as "
                   "linear:50,relu,linear:1,sigmoid")
      ->capture_default_str();
  command->add_option("--hidden", args->settings.hidden, "hidden units of the mlp model")
      ->capture_default_str()
      ->check(positive());
  command
      ->add_option("--epochs", args->settings.training.epochs,
                   "passes over the training cells (the most, with early stopping)")
      ->capture_default_str()
      ->check(positive());
  command->add_option("--lr", args->settings.training.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(positive())
      ->check(within(0.0, 1e30));  // torch applies it as a float32
  command
      ->add_option("--batch-size", args->settings.training.batch_size,
                   "cells per Adam step, shuffled each epoch; 0 = full batch (the exercise)")
      ->capture_default_str()
      ->check(non_negative());
  command
      ->add_option("--weight-decay", args->settings.weight_decay,
                   "Adam's L2 penalty on the weights (not the biases). Default with "
                   "minibatches: chosen on the validation cells among 1/(C n) for "
                   "C = 1, 0.1, 0.01 (n training cells; scikit-learn's C), together with the "
                   "class weights; with --batch-size 0: 0")
      ->check(non_negative());
  command
      ->add_option("--test-fraction", args->settings.test_fraction,
                   "held-out cells per class, only measured; 0 = no split (the exercise)")
      ->capture_default_str()
      ->check(within(0.0, 0.99));
  command
      ->add_option("--validation-fraction", args->settings.validation_fraction,
                   "of each class's training cells, set aside to choose the epoch and the "
                   "weight decay (never held-out cells). Default 0.1 with minibatches, 0 with "
                   "--batch-size 0")
      ->check(within(0.0, 0.9));
  command
      ->add_option("--patience", args->settings.patience,
                   "stop after this many epochs without a lower validation loss; the best "
                   "epoch's weights are kept either way. 0 = train every epoch. Default with "
                   "a validation set: 5 Adam epochs; L-BFGS runs to convergence (given, it "
                   "early-stops L-BFGS too)")
      ->check(non_negative());
  command
      ->add_option("--lr-reductions", args->settings.lr_reductions,
                   "when the validation loss stops improving, go back to the best epoch and "
                   "divide the learning rate by 10, this many times, before stopping")
      ->check(non_negative());
  command
      ->add_option("--class-weight", args->settings.class_weight,
                   "balanced: each cell's loss weighted by n / (K n_class), as scikit-learn's "
                   "class_weight='balanced', so rare types count; sqrt: the square root of "
                   "that (half way); none: every cell the same; auto: none, sqrt and balanced "
                   "each trained, the validation cells choose, weights only where they cost "
                   "neither accuracy nor macro-F1 (only sqrt when the classes are within 1.5x "
                   "in size). Default auto with minibatches, none with --batch-size 0")
      ->check(CLI::IsMember({"auto", "balanced", "sqrt", "none"}));
  command
      ->add_option("--refit", args->settings.refit,
                   "true: after the held-out evaluation, train the saved model (--out) again on "
                   "every labelled cell with the chosen weight decay and epoch count. Default "
                   "true with --out and minibatches")
      ->expected(0, 1)
      ->default_str("true");
  command
      ->add_option("--seed", args->settings.seed,
                   "torch::manual_seed before the model is built (same initial weights as "
                   "PyTorch); also seeds the split and minibatch order (own generator)")
      ->capture_default_str()
      ->check(non_negative());
  command
      ->add_option("--compute", args->settings.compute,
                   "dense: the exercise's dense scaled X; sparse: CSR log-CPM with the scaling "
                   "folded into the first layer (never densified); auto: sparse below 25 % "
                   "nonzeros")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "dense", "sparse"}));
  command
      ->add_option("--optimizer", args->settings.optimizer,
                   "lbfgs: full-batch L-BFGS to the optimum of the penalised loss (a convex "
                   "model in memory; --lr and --batch-size do not apply); adam: Adam steps. "
                   "auto: lbfgs for the logistic model with minibatches in memory, adam for the "
                   "mlp, when streaming and with --batch-size 0 (the exercise)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "adam", "lbfgs"}));
  add_max_memory_option(command, args->max_memory);
  add_threads_option(command, args->threads);
  command
      ->add_option("--dist-timeout", args->dist_timeout,
                   "with WORLD_SIZE > 1 (data-parallel ranks, launched by `scgrad launch` or "
                   "torchrun-style variables): seconds a rank waits for the others before it "
                   "stops with an error")
      ->capture_default_str()
      ->check(positive());
  command->add_option("--out", args->model_out, "save the model file (HDF5) for scgrad predict");
  command->add_option("--metrics-out", args->metrics_out,
                      "per-epoch and final metrics, the model selection, the confusion matrix, "
                      "per-class precision/recall/F1, macro-F1 and balanced accuracy, the refit, "
                      "as JSON");
  command->add_option("--plot", args->plot, "loss and accuracy curves as .png or .svg (gnuplot)");
  command->footer(
      "Defaults learn on real data: 20 % held out (only measured), 10 % of the training cells\n"
      "for validation, log1p of counts per 10,000, early stopping; the weight decay (among\n"
      "scikit-learn's C = 1, 0.1, 0.01) and the class weights (sqrt, none, balanced) chosen by\n"
      "the validation cells' accuracy + macro-F1.\n"
      "The logistic model is fitted by L-BFGS in steps of 5 iterations (the validation loss\n"
      "picks the step), then trained again on all training cells for the held-out figures;\n"
      "the mlp by Adam (lr 1e-3, batches of 128, at most 200 epochs). The saved model is refit\n"
      "on every labelled cell. With --batch-size 0 none of that is on unless asked for\n"
      "(Adam, log-CPM with 1e6, as the exercise).\n"
      "The exercise's exact run:\n"
      "  --test-fraction 0 --batch-size 0 --lr 1e-4 --epochs 10 --weight-decay 0\n\n"
      "Example (the five cell types of the real brain data):\n"
      "  scgrad train data/darmanis2015_glia_subset.h5ad --classes all \\\n"
      "      --out glia.h5 --metrics-out m.json --plot curves.png");
  command->callback([args] { run_train(*args); });
}

}  // namespace scgrad::app
