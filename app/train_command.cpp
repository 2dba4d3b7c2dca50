// `scgrad train FILE.h5ad --classes A,B[,C…]|all`: preprocessing, a held-out split, training,
// evaluation, and the model file that `scgrad predict` uses.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "preprocess_options.hpp"
#include "progress_bar.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/model/exercise_models.hpp"
#include "scgrad/model/model_bundle.hpp"
#include "scgrad/preprocess/streaming_statistics.hpp"
#include "scgrad/train/classification.hpp"
#include "scgrad/train/classification_metrics.hpp"
#include "scgrad/train/dense_tensors.hpp"
#include "scgrad/train/streaming_input.hpp"
#include "scgrad/train/trainer.hpp"
#include "scgrad/util/atomic_output.hpp"
#include "training_inputs.hpp"
#include "training_plot.hpp"

namespace scgrad::app {

namespace {

struct TrainArgs {
  std::string file;
  std::string classes;
  PrepareOptions prepare;
  std::string model = "logistic";
  std::int64_t hidden = 50;
  // Defaults that learn (bench/compare_sklearn.py); the exercise's run is spelled out in --help.
  TrainingOptions training{/*epochs=*/30, /*lr=*/1e-3, /*batch_size=*/128, /*shuffle_seed=*/0,
                           /*weight_decay=*/0.1};
  double test_fraction = 0.2;
  std::uint64_t seed = 0;
  std::string metrics_out;
  std::string model_out;
  std::string plot;
  std::string compute = "auto";
  int threads = 0;
  std::string max_memory;  ///< "" = half the machine's memory
};

// --compute auto picks the sparse path below this share of nonzeros (docs/performance.md).
constexpr double kSparseBelow = 0.25;

void print_report(const ClassificationReport& report, const std::vector<std::string>& classes,
                  const std::string& evaluated_on) {
  std::cout << fmt::format("\nEvaluation on the {} cells (rows: true class, columns: predicted)\n",
                           evaluated_on);
  std::size_t width = 9;
  for (const auto& c : classes) width = std::max(width, c.size() + 2);
  std::cout << fmt::format("  {:<{}}", "", width);
  for (std::size_t c = 0; c < classes.size(); ++c) std::cout << fmt::format("{:>8}", c);
  std::cout << fmt::format("   {:>9} {:>7} {:>8}\n", "precision", "recall", "cells");
  for (std::size_t t = 0; t < classes.size(); ++t) {
    std::cout << fmt::format("  {:<{}}", fmt::format("{} {}", t, classes[t]), width);
    for (const auto n : report.confusion[t]) std::cout << fmt::format("{:>8}", n);
    const auto& m = report.per_class[t];
    std::cout << fmt::format("   {:>9.3f} {:>7.3f} {:>8}\n", m.precision, m.recall, m.support);
  }
  std::cout << fmt::format("  accuracy {:.4f}", report.accuracy);
  if (report.auc >= 0)
    std::cout << fmt::format(", ROC AUC {:.4f} ('{}' positive)", report.auc, classes[0]);
  std::cout << '\n';
}

/// "4G", "500M", "1.5G", "800000000" → bytes.
std::int64_t parse_bytes(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw Error("--max-memory: expected a size like 4G or 500M, got '" + text + "'");
  }
  const auto unit = text.substr(used);
  const double scale = unit.empty() || unit == "B" ? 1
                       : unit == "K"               ? 1024.0
                       : unit == "M"               ? 1024.0 * 1024
                       : unit == "G"               ? 1024.0 * 1024 * 1024
                                                   : -1;
  if (scale < 0 || value <= 0) {
    throw Error("--max-memory: expected a size like 4G or 500M, got '" + text + "'");
  }
  return static_cast<std::int64_t>(value * scale);
}

/// Half the machine's memory: room for the matrix and for torch.
std::int64_t default_max_memory() {
  return static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE) / 2;
}

nlohmann::json metrics_json(const PreparedData& data, const TrainingResults& results,
                            const ClassificationReport& report, const std::string& evaluated_on) {
  nlohmann::json j;
  j["cells"] = data.cells.rows.size();
  j["genes"] = data.genes.size();
  j["classes"] = data.cells.classes;
  j["train_cells"] = data.split.train.size();
  j["test_cells"] = data.split.test.size();
  std::vector<std::string> test_names;
  for (const auto c : data.split.test)
    test_names.push_back(data.cell_names[static_cast<std::size_t>(c)]);
  j["test_cell_names"] = test_names;
  j["epochs"] = nlohmann::json::array();
  for (const auto& e : results.epochs) {
    nlohmann::json row = {{"epoch", e.epoch},
                          {"train_loss", e.train_loss},
                          {"train_accuracy", e.train_accuracy},
                          {"seconds", e.seconds}};
    if (e.test_loss) {
      row["test_loss"] = *e.test_loss;
      row["test_accuracy"] = *e.test_accuracy;
    }
    j["epochs"].push_back(row);
  }
  j["final"] = {{"train_loss", results.final_train.loss},
                {"train_accuracy", results.final_train.accuracy}};
  if (results.final_test) {
    j["final"]["test_loss"] = results.final_test->loss;
    j["final"]["test_accuracy"] = results.final_test->accuracy;
  }
  j["evaluation"] = {{"cells", evaluated_on},
                     {"confusion_matrix", report.confusion},
                     {"accuracy", report.accuracy}};
  for (std::size_t c = 0; c < report.per_class.size(); ++c) {
    j["evaluation"]["per_class"].push_back({{"class", data.cells.classes[c]},
                                            {"precision", report.per_class[c].precision},
                                            {"recall", report.per_class[c].recall},
                                            {"support", report.per_class[c].support}});
  }
  if (report.auc >= 0) j["evaluation"]["roc_auc"] = report.auc;
  return j;
}

void run_train(TrainArgs& args) {
  if (args.threads > 0) torch::set_num_threads(args.threads);
  args.prepare.classes = split_class_list(args.classes);
  args.prepare.test_fraction = args.test_fraction;
  args.prepare.split_seed = args.seed;
  args.training.shuffle_seed = args.seed;
  const auto started = std::chrono::steady_clock::now();
  auto seconds_since = [](auto start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const auto file = std::make_shared<const H5adFile>(args.file);
  const auto max_memory =
      args.max_memory.empty() ? default_max_memory() : parse_bytes(args.max_memory);
  // In memory the matrix takes 8 bytes per stored entry (value and index); larger: stream.
  const auto stored_bytes =
      8 * file->matrix_info(file->resolve_matrix_key(args.prepare.matrix)).stored_values;
  const bool streaming = stored_bytes > max_memory;
  if (streaming && args.training.batch_size <= 0) {
    throw Error(
        fmt::format("{}: the matrix ({:.1f} GB) is larger than --max-memory ({:.1f} GB), "
                    "so cells are streamed from disk, which needs --batch-size > 0",
                    args.file, stored_bytes / 1e9, max_memory / 1e9));
  }
  // Streaming reads blocks of a quarter of the budget, at most 512 MB (larger buys nothing).
  const auto chunk_bytes = std::min<std::int64_t>(max_memory / 4, std::int64_t{512} << 20);
  StreamedPreparation streamed;
  PreparedData in_memory;
  if (streaming) {
    ProgressBar bar("reading", 100, "%");
    streamed = prepare_streaming(
        *file, args.prepare, chunk_bytes, [&](int pass, std::int64_t done, std::int64_t total) {
          bar.update((pass - 1) * 50 + 50 * done / std::max<std::int64_t>(total, 1),
                     fmt::format("(pass {} of 2: {} / {} cells)", pass, done, total));
        });
  } else {
    in_memory = prepare_data(*file, args.prepare);
  }
  auto& data = streaming ? streamed.data : in_memory;
  const double prepare_seconds = seconds_since(started);
  const auto n_classes = data.cells.classes.size();
  const auto n_genes = static_cast<std::int64_t>(data.genes.size());
  std::string counts;
  for (std::size_t c = 0; c < n_classes; ++c) {
    counts +=
        fmt::format("{}{} {}", c ? ", " : "", data.cells.class_counts[c], data.cells.classes[c]);
  }
  std::cerr << fmt::format("{}: {} cells ({}), {} of {} genes kept ({} in {:.2f} s)\n", args.file,
                           data.cells.rows.size(), counts, n_genes, data.genes_in_file,
                           streaming ? "two streaming passes" : "read and preprocessed",
                           prepare_seconds);
  const bool split = !data.split.test.empty();
  if (split) {
    std::cerr << fmt::format("split: {} training, {} held-out cells (stratified, seed {})\n",
                             data.split.train.size(), data.split.test.size(), args.seed);
  }
  if (!data.empty_cells.empty()) {
    std::cerr << fmt::format("note: {} cells have library size 0 (all-zero log-CPM)\n",
                             data.empty_cells.size());
  }

  const auto nonzeros = streaming ? streamed.nonzeros : data.log_cpm.nonzeros();
  const double density =
      static_cast<double>(nonzeros) /
      (static_cast<double>(data.cells.rows.size()) * static_cast<double>(n_genes));
  const bool sparse =
      args.compute == "sparse" || (args.compute == "auto" && density < kSparseBelow);
  if (streaming && args.compute == "dense") {
    throw Error("--compute dense needs the matrix in memory; raise --max-memory");
  }
  std::cerr << fmt::format(
      "input: {} ({:.1f} % nonzero log-CPM{})\n",
      streaming ? fmt::format("streamed from disk chunk by chunk (matrix {:.0f} MB > --max-memory "
                              "{:.0f} MB), sparse first layer",
                              stored_bytes / 1e6, max_memory / 1e6)
      : sparse  ? std::string("sparse, scaling folded into the first layer")
                : std::string("dense"),
      100 * density, args.compute == "auto" ? ", --compute auto" : "");
  auto inputs = streaming ? streaming_inputs(file, streamed, args.prepare, chunk_bytes,
                                             args.training.batch_size)
                : sparse  ? sparse_inputs(data)
                          : dense_inputs(data);
  const auto& train = inputs.train;
  const auto& test = inputs.test;

  torch::manual_seed(static_cast<std::uint64_t>(args.seed));  // right before the model is built
  auto model = make_classifier(args.model, n_genes, args.hidden, output_units(n_classes));
  std::cerr << fmt::format(
      "model: {} ({}), {}, Adam lr {}, {} epochs, {}, seed {}\n", args.model, model->spec(),
      n_classes == 2 ? "BCE" : "cross-entropy", args.training.lr, args.training.epochs,
      args.training.batch_size > 0 ? fmt::format("batches of {}", args.training.batch_size)
                                   : "full batch",
      args.seed);

  std::cout << fmt::format("{:>5}  {:>10}  {:>9}", "epoch", "train_loss", "train_acc");
  if (split) std::cout << fmt::format("  {:>10}  {:>9}", "test_loss", "test_acc");
  std::cout << fmt::format("  {:>7}\n", "seconds");
  ProgressBar bar("training", args.training.epochs, "epochs");
  TrainingCallbacks callbacks;
  callbacks.on_batch = [&](int epoch, std::int64_t batch, std::int64_t batches) {
    if (batches > 1) bar.update(epoch - 1, fmt::format("(batch {}/{})", batch, batches));
  };
  callbacks.on_epoch = [&](const EpochMetrics& e) {
    bar.clear();
    std::cout << fmt::format("{:>5}  {:>10.6f}  {:>9.4f}", e.epoch, e.train_loss, e.train_accuracy);
    if (e.test_loss)
      std::cout << fmt::format("  {:>10.6f}  {:>9.4f}", *e.test_loss, *e.test_accuracy);
    std::cout << fmt::format("  {:>7.2f}\n", e.seconds) << std::flush;
    bar.update(e.epoch);
  };
  const auto results = train_classifier(*model, n_classes, train, test, args.training, callbacks);
  bar.clear();
  std::cout << fmt::format("final  {:>10.6f}  {:>9.4f}", results.final_train.loss,
                           results.final_train.accuracy);
  if (results.final_test) {
    std::cout << fmt::format("  {:>10.6f}  {:>9.4f}", results.final_test->loss,
                             results.final_test->accuracy);
  }
  std::cout << "   (after the last step)\n";

  const auto& evaluated = split ? *test : train;
  const auto& evaluated_cells = split ? data.split.test : data.split.train;
  const auto outputs = predict_outputs(*model, *evaluated.input);
  const auto predicted = predicted_classes(outputs, n_classes);
  const auto probabilities = class_probabilities(outputs, n_classes).contiguous();
  // Read the tensors through their data (per-element item() costs microseconds each).
  const auto predicted_index = predicted.contiguous();
  const auto first_column = probabilities.select(1, 0).contiguous();
  const auto* p = predicted_index.data_ptr<std::int64_t>();
  const std::vector<std::int32_t> predicted_vec(p, p + predicted_index.numel());
  const std::vector<float> first(first_column.data_ptr<float>(),
                                 first_column.data_ptr<float>() + first_column.numel());
  const auto report =
      classification_report(targets_of(data, evaluated_cells), predicted_vec, n_classes, first);
  const std::string evaluated_on = split ? "held-out" : "training";
  print_report(report, data.cells.classes, evaluated_on);

  if (!args.model_out.empty()) {
    ModelFile bundle;
    bundle.model = args.model;
    bundle.hidden = args.hidden;
    bundle.spec = model->spec();
    bundle.compute = streaming || sparse ? "sparse" : "dense";
    bundle.classes = data.cells.classes;
    bundle.genes = data.genes;
    bundle.min_counts = args.prepare.gene_filter.min_counts;
    bundle.min_cells = args.prepare.gene_filter.min_cells;
    bundle.target_sum = args.prepare.log_cpm.target_sum;
    bundle.log_base = args.prepare.log_cpm.log_base;
    bundle.library_size_key = args.prepare.library_size_key;
    bundle.matrix = args.prepare.matrix;
    bundle.label_key = args.prepare.label_key;
    bundle.scaling_mean = inputs.mean;
    bundle.scaling_sd = inputs.sd;
    store_weights(*model, bundle);
    bundle.training_numbers = {{"seed", static_cast<double>(args.seed)},
                               {"epochs", args.training.epochs},
                               {"lr", args.training.lr},
                               {"batch_size", static_cast<double>(args.training.batch_size)},
                               {"test_fraction", args.test_fraction},
                               {"train_cells", static_cast<double>(data.split.train.size())},
                               {"test_cells", static_cast<double>(data.split.test.size())},
                               {"final_train_loss", results.final_train.loss},
                               {"final_train_accuracy", results.final_train.accuracy}};
    if (results.final_test) {
      bundle.training_numbers["final_test_loss"] = results.final_test->loss;
      bundle.training_numbers["final_test_accuracy"] = results.final_test->accuracy;
    }
    bundle.training_strings = {{"data_file", args.file}};
    write_model_file(args.model_out, bundle);
    std::cerr << "wrote model " << args.model_out << '\n';
  }
  if (!args.metrics_out.empty()) {
    write_text_atomically(args.metrics_out,
                          metrics_json(data, results, report, evaluated_on).dump(2) + "\n",
                          "--metrics-out");
  }
  if (!args.plot.empty()) {
    TrainingCurves curves;
    curves.title = fmt::format("scgrad train {} — {}", args.model, counts);
    for (const auto& e : results.epochs) {
      curves.train_loss.push_back(e.train_loss);
      curves.train_accuracy.push_back(e.train_accuracy);
      if (e.test_loss) {
        curves.test_loss.push_back(*e.test_loss);
        curves.test_accuracy.push_back(*e.test_accuracy);
      }
    }
    plot_training_curves(curves, args.plot);
    std::cerr << "wrote plot " << args.plot << '\n';
  }
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* command = app.add_subcommand(
      "train",
      "Train a cell-type classifier on an .h5ad file: select cells of the given classes, hold "
      "out a stratified test set, filter genes, log-CPM and scale (fitted on the training "
      "cells), train with Adam, report held-out metrics, and save the model for `predict`. "
      "Two classes use a sigmoid output and BCE as the exercise does; more use softmax and "
      "cross-entropy.");
  command->add_option("file", args->file, "the .h5ad file")->required();
  command
      ->add_option("--classes", args->classes,
                   "comma-separated labels to keep (the first is the positive class for "
                   "two), or 'all'")
      ->required();
  add_preprocess_options(command, args->prepare);
  command
      ->add_option("--model", args->model,
                   "logistic (Linear+Sigmoid), mlp (two layers), or a layer spec such as "
                   "linear:50,relu,linear:1,sigmoid")
      ->capture_default_str();
  command->add_option("--hidden", args->hidden, "hidden units of the mlp model")
      ->capture_default_str();
  command->add_option("--epochs", args->training.epochs, "passes over the training cells")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--lr", args->training.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->check(CLI::Range(0.0, 1e30));  // torch applies it as a float32
  command
      ->add_option("--batch-size", args->training.batch_size,
                   "cells per Adam step, shuffled each epoch; 0 = full batch (the exercise)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--weight-decay", args->training.weight_decay,
                   "Adam's L2 penalty (regularises models with many genes and few cells)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--test-fraction", args->test_fraction,
                   "held-out cells per class; 0 = no split (the exercise)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  command
      ->add_option("--seed", args->seed,
                   "torch::manual_seed before the model is built (same initial weights as "
                   "PyTorch); also seeds the split and minibatch order (own generator)")
      ->capture_default_str();
  command
      ->add_option("--compute", args->compute,
                   "dense: the exercise's dense scaled X; sparse: CSR log-CPM with the scaling "
                   "folded into the first layer (never densified); auto: sparse below 25 % "
                   "nonzeros")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "dense", "sparse"}));
  command->add_option("--max-memory", args->max_memory,
                      "when the matrix (8 bytes per stored entry) is larger than this, stream "
                      "cells from disk in chunks instead of loading it (e.g. 2G, 500M); default: "
                      "half the machine's memory");
  command->add_option("--threads", args->threads,
                      "threads for torch and the sparse kernels "
                      "(default: all cores)");
  command->add_option("--out", args->model_out, "save the model file (HDF5) for scgrad predict");
  command->add_option("--metrics-out", args->metrics_out,
                      "per-epoch and final metrics, confusion matrix, per-class precision/recall "
                      "as JSON");
  command->add_option("--plot", args->plot, "loss and accuracy curves as .png or .svg (gnuplot)");
  command->footer(
      "Defaults learn on real data (Adam lr 1e-3, weight decay 0.1, batches of 128, 30 epochs,\n"
      "20 % held out). The exercise's exact run:\n"
      "  --test-fraction 0 --batch-size 0 --lr 1e-4 --epochs 10 --weight-decay 0\n\n"
      "Example (the five cell types of the real brain data):\n"
      "  scgrad train ../shared/data/darmanis2015_glia_subset.h5ad --classes all \\\n"
      "      --out glia.h5 --metrics-out m.json --plot curves.png");
  command->callback([args] { run_train(*args); });
}

}  // namespace scgrad::app
