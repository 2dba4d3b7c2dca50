// `scgrad train FILE.h5ad --classes A,B`: the exercise's full-batch training as a tool.

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "preprocess_options.hpp"
#include "scgrad/error.hpp"
#include "scgrad/io/h5ad_reader.hpp"
#include "scgrad/model/exercise_models.hpp"
#include "scgrad/train/dense_tensors.hpp"
#include "scgrad/train/full_batch_training.hpp"

namespace scgrad::app {

namespace {

struct TrainArgs {
  std::string file;
  std::string classes;
  PrepareOptions prepare;
  std::string model = "logistic";
  std::int64_t hidden = 50;
  TrainingOptions training;
  std::uint64_t seed = 0;
  std::string metrics_out;
};

void write_metrics(const std::string& path, const PreparedData& data,
                   const TrainingResults& results) {
  nlohmann::json j;
  j["cells"] = data.log_cpm.n_rows;
  j["genes"] = data.log_cpm.n_cols;
  j["classes"] = data.cells.classes;
  j["epochs"] = nlohmann::json::array();
  for (const auto& e : results.epochs) {
    j["epochs"].push_back(
        {{"epoch", e.epoch}, {"train_loss", e.loss}, {"train_accuracy", e.accuracy}});
  }
  j["final"] = {{"train_loss", results.final_loss}, {"train_accuracy", results.final_accuracy}};
  std::ofstream out(path);
  if (!out) throw Error(path + ": cannot write the metrics file (--metrics-out)");
  out << j.dump(2) << '\n';
}

void run_train(TrainArgs& args) {
  args.prepare.classes = split_class_list(args.classes);
  const H5adFile file(args.file);
  const auto data = prepare_data(file, args.prepare);
  if (data.cells.classes.size() != 2) {
    throw Error(
        "training more than two classes (softmax) is not implemented yet; give two "
        "classes with --classes A,B");
  }
  std::cerr << fmt::format("{}: {} cells ({} {}, {} {}), {} of {} genes kept\n", args.file,
                           data.log_cpm.n_rows, data.cells.class_counts[0], data.cells.classes[0],
                           data.cells.class_counts[1], data.cells.classes[1], data.log_cpm.n_cols,
                           data.genes_in_file);
  if (!data.empty_cells.empty()) {
    std::cerr << fmt::format("note: {} cells have library size 0 (all-zero log-CPM)\n",
                             data.empty_cells.size());
  }
  auto x = scale(to_dense_tensor(data.log_cpm));
  const auto y = targets_tensor(data.cells.binary_targets());

  torch::manual_seed(args.seed);  // immediately before the model is built, as in PyTorch
  auto model = make_classifier(args.model, data.log_cpm.n_cols, args.hidden, 1);
  std::cerr << fmt::format("model: {} ({}), Adam lr {}, {} epochs, seed {}\n", args.model,
                           model->spec(), args.training.lr, args.training.epochs, args.seed);
  std::cout << fmt::format("{:>5}  {:>10}  {:>8}\n", "epoch", "loss", "accuracy");
  const auto results = train_full_batch(*model, x, y, args.training, [](const EpochMetrics& e) {
    std::cout << fmt::format("{:>5}  {:>10.6f}  {:>8.4f}\n", e.epoch, e.loss, e.accuracy)
              << std::flush;
  });
  std::cout << fmt::format("final  {:>10.6f}  {:>8.4f}   (after the last step)\n",
                           results.final_loss, results.final_accuracy);
  if (!args.metrics_out.empty()) write_metrics(args.metrics_out, data, results);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* command = app.add_subcommand(
      "train",
      "Train a classifier on an .h5ad file: select cells of the given classes, filter genes, "
      "log-CPM, scale, then full-batch BCE + Adam as the exercise does. Prints loss and "
      "accuracy per epoch.");
  command->add_option("file", args->file, "the .h5ad file")->required();
  command
      ->add_option("--classes", args->classes,
                   "comma-separated labels to keep; the first is the positive class (1)")
      ->required();
  add_preprocess_options(command, args->prepare);
  command
      ->add_option("--model", args->model,
                   "logistic (Linear+Sigmoid), mlp (two layers), or a layer spec such as "
                   "linear:50,relu,linear:1,sigmoid")
      ->capture_default_str();
  command->add_option("--hidden", args->hidden, "hidden units of the mlp model")
      ->capture_default_str();
  command->add_option("--epochs", args->training.epochs, "full-batch epochs")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--lr", args->training.lr, "Adam learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--seed", args->seed,
                   "torch::manual_seed before the model is built (same initial weights as "
                   "PyTorch with this seed)")
      ->capture_default_str();
  command->add_option("--metrics-out", args->metrics_out,
                      "write per-epoch and final loss and accuracy as JSON");
  command->footer(
      "Example (the exercise on the real brain data):\n"
      "  scgrad train ../shared/data/darmanis2015_glia_subset.h5ad \\\n"
      "      --classes Astrocytes,\"Fetal replicating\" --model mlp --metrics-out m.json");
  command->callback([args] { run_train(*args); });
}

}  // namespace scgrad::app
